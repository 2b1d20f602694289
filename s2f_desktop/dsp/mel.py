"""The voice encoder's front-end in numpy: the same mel frames resemblyzer computes with librosa.

resemblyzer (and the GE2E encoder's training) uses `librosa.feature.melspectrogram(sr=16000, n_fft=400,
hop_length=160, n_mels=40)`: periodic Hann window of 400 samples, centred frames with zero padding of 200 samples,
power spectrum (|X|^2, no log), 40 Slaney-scale mel bands with Slaney area normalisation, 0-8000 Hz. The
filterbank is computed once here with the same formulas (checked against librosa in tests).

Loudness: resemblyzer raises a whole utterance to -30 dBFS RMS and never lowers it ("increase only"). We apply the
same rule to each 1.6 s window separately (RMS of that window's own samples), because a live stream has no "whole
utterance": this makes a window's embedding depend only on its own audio, so streaming and whole-file analysis
give identical numbers. The gain is capped at +50 dB so digital silence is not blown up into noise. A gain g
scales a power mel by g^2, so it is applied to the mel frames rather than to the audio.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

SAMPLE_RATE = 16000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
N_MELS = 40
WINDOW_FRAMES = 160  # 1.6 s of mel frames per encoder window
WINDOW_STEP_FRAMES = 77  # resemblyzer's rate=1.3 windows per second -> round(16000 / 1.3 / 160)
WINDOW_SAMPLES = WINDOW_FRAMES * HOP  # 25600 samples whose loudness sets the window's gain
TARGET_DBFS = -30.0
MAX_GAIN_DB = 50.0


def _hz_to_mel(freq: np.ndarray) -> np.ndarray:
    """Slaney's mel scale: linear below 1 kHz, logarithmic above (librosa's htk=False)."""
    freq = np.asarray(freq, dtype=np.float64)
    f_sp = 200.0 / 3
    mels = freq / f_sp
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(freq >= min_log_hz, min_log_mel + np.log(np.maximum(freq, 1e-10) / min_log_hz) / logstep, mels)


def _mel_to_hz(mels: np.ndarray) -> np.ndarray:
    mels = np.asarray(mels, dtype=np.float64)
    f_sp = 200.0 / 3
    freqs = f_sp * mels
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(mels >= min_log_mel, min_log_hz * np.exp(logstep * (mels - min_log_mel)), freqs)


@lru_cache(maxsize=1)
def mel_filterbank() -> np.ndarray:
    """(N_MELS, N_FFT // 2 + 1) triangular filters, Slaney-normalised (constant energy per band)."""
    fft_freqs = np.linspace(0, SAMPLE_RATE / 2, N_FFT // 2 + 1)
    mel_points = _mel_to_hz(np.linspace(_hz_to_mel(np.array(0.0)), _hz_to_mel(np.array(SAMPLE_RATE / 2)), N_MELS + 2))
    widths = np.diff(mel_points)
    ramps = mel_points[:, None] - fft_freqs[None, :]
    weights = np.zeros((N_MELS, len(fft_freqs)))
    for band in range(N_MELS):
        lower = -ramps[band] / widths[band]
        upper = ramps[band + 2] / widths[band + 1]
        weights[band] = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_points[2 : N_MELS + 2] - mel_points[:N_MELS]))[:, None]
    weights.setflags(write=False)
    return weights


@lru_cache(maxsize=1)
def _hann() -> np.ndarray:
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)  # periodic, as scipy/librosa "hann"
    window.setflags(write=False)
    return window


def frames_needed_samples(n_frames: int) -> int:
    """Samples of the stream needed (after its start) so that `n_frames` centred frames need no right padding."""
    return (n_frames - 1) * HOP + N_FFT // 2


def mel_frames(padded: np.ndarray) -> np.ndarray:
    """Power mel frames (n, 40) float32 of audio that already carries its N_FFT//2 left context (or zeros).

    Frame i covers padded[i*HOP : i*HOP + N_FFT], i.e. the original sample i*HOP sits at the frame's centre.
    """
    if len(padded) < N_FFT:
        return np.zeros((0, N_MELS), dtype=np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(np.asarray(padded, dtype=np.float32), N_FFT)[::HOP]
    bank = _filterbank_f32()
    window = _hann_f32()
    out = np.empty((len(frames), N_MELS), dtype=np.float32)
    for first in range(0, len(frames), _FRAMES_PER_BLOCK):  # blocks stay in cache; float32 like librosa
        spectrum = np.fft.rfft(frames[first : first + _FRAMES_PER_BLOCK] * window, axis=1)
        power = spectrum.real**2 + spectrum.imag**2
        out[first : first + len(power)] = power @ bank
    return out


_FRAMES_PER_BLOCK = 2048


@lru_cache(maxsize=1)
def _filterbank_f32() -> np.ndarray:
    bank = np.ascontiguousarray(mel_filterbank().T, dtype=np.float32)
    bank.setflags(write=False)
    return bank


@lru_cache(maxsize=1)
def _hann_f32() -> np.ndarray:
    window = _hann().astype(np.float32)
    window.setflags(write=False)
    return window


def mel_spectrogram(audio: np.ndarray) -> np.ndarray:
    """librosa-compatible centred power mel spectrogram (1 + len // HOP, 40) with zero padding at both ends."""
    pad = np.zeros(N_FFT // 2, dtype=np.float32)
    return mel_frames(np.concatenate([pad, np.asarray(audio, dtype=np.float32), pad]))


def loudness_gain(samples: np.ndarray) -> float:
    """Amplitude gain that raises `samples` to TARGET_DBFS RMS, never lowering them (resemblyzer's rule)."""
    if len(samples) == 0:
        return 1.0
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    if rms <= 0.0:
        return 1.0
    change_db = TARGET_DBFS - 20.0 * np.log10(rms)
    return float(10.0 ** (min(max(change_db, 0.0), MAX_GAIN_DB) / 20.0))


def complete_window_count(n_samples: int) -> int:
    """How many encoder windows of a speech stream of `n_samples` are complete (need no padding at the end)."""
    usable_frames = 0 if n_samples < N_FFT // 2 else (n_samples - N_FFT // 2) // HOP + 1
    if usable_frames < WINDOW_FRAMES:
        return 0
    return (usable_frames - WINDOW_FRAMES) // WINDOW_STEP_FRAMES + 1


def window_start_sample(index: int) -> int:
    return index * WINDOW_STEP_FRAMES * HOP


def window_mels(stream: np.ndarray, first: int, count: int, stream_offset: int = 0) -> np.ndarray:
    """Loudness-normalised mel windows (count, 160, 40) for windows first..first+count-1 of a speech stream.

    `stream` holds the stream's samples from absolute sample `stream_offset` on (a live buffer drops old audio);
    it must reach at least N_FFT//2 samples before the first window's start (or the stream's start).
    """
    if count <= 0:
        return np.zeros((0, WINDOW_FRAMES, N_MELS), dtype=np.float32)
    first_start = window_start_sample(first)
    last_end = window_start_sample(first + count - 1) + WINDOW_SAMPLES
    left = first_start - N_FFT // 2  # the first frame's left edge, in absolute samples (-200 for window 0)
    if left < 0 < stream_offset or 0 <= left < stream_offset:
        raise ValueError("the stream buffer no longer holds the audio of the requested window")
    segment = stream[max(left, 0) - stream_offset : last_end + N_FFT // 2 - stream_offset]
    padded = np.concatenate([np.zeros(-left, dtype=np.float32), segment]) if left < 0 else segment
    need = (window_start_sample(first + count - 1) - first_start) + frames_needed_samples(WINDOW_FRAMES) + N_FFT // 2
    if len(padded) < need:  # short evidence: zero-pad to one full window, as resemblyzer does
        padded = np.concatenate([padded, np.zeros(need - len(padded), dtype=np.float32)])
    frames = mel_frames(padded)
    out = np.empty((count, WINDOW_FRAMES, N_MELS), dtype=np.float32)
    for k in range(count):
        local = k * WINDOW_STEP_FRAMES
        start = window_start_sample(first + k) - stream_offset
        gain = loudness_gain(stream[max(0, start) : start + WINDOW_SAMPLES])
        out[k] = frames[local : local + WINDOW_FRAMES] * np.float32(gain * gain)
    return out
