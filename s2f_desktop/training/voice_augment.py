"""Channel augmentation so that studio and phone voices both work (training only).

speechocean762 is clean studio speech and holds all the children; commonvoice is crowd-sourced microphones and
holds all the older people. Without augmentation a model can learn "studio sound = child". Each speaker's
speech is therefore embedded in several channel variants, each with a random level:
  0  the recording as is (the evaluation reports on this variant only)
  1  telephone: 300-3400 Hz band, 8 kHz resampling, 8-bit mu-law quantisation
  2  noisy room: white/pink/brown noise at 5-25 dB SNR and a random spectral tilt
  3  codec: Ogg/Opus at a low bitrate (libsndfile), sometimes after an 8 kHz band limit
"""

from __future__ import annotations

import io

import numpy as np

SAMPLE_RATE = 16000
VARIANT_NAMES = ("original", "telephone", "noisy", "codec")


def _level(audio: np.ndarray, rng: np.random.Generator, low_db: float = -20.0, high_db: float = 8.0) -> np.ndarray:
    gain = 10 ** (rng.uniform(low_db, high_db) / 20)
    return np.clip(audio * gain, -1.0, 1.0).astype(np.float32)


def _band_limit(audio: np.ndarray, low_hz: float, high_hz: float) -> np.ndarray:
    from scipy.signal import butter, sosfiltfilt

    sos = butter(4, [low_hz, high_hz], btype="bandpass", fs=SAMPLE_RATE, output="sos")
    return sosfiltfilt(sos, audio).astype(np.float32)


def _telephone(audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    import soxr

    limited = _band_limit(audio, rng.uniform(250, 400), rng.uniform(3000, 3600))
    narrow = soxr.resample(limited, SAMPLE_RATE, 8000)
    peak = max(1e-6, float(np.abs(narrow).max()))
    scaled = narrow / peak
    mu = 255.0
    companded = np.sign(scaled) * np.log1p(mu * np.abs(scaled)) / np.log1p(mu)
    quantised = np.round(companded * 127) / 127
    expanded = np.sign(quantised) * np.expm1(np.abs(quantised) * np.log1p(mu)) / mu * peak
    return soxr.resample(expanded.astype(np.float32), 8000, SAMPLE_RATE)[: len(audio)].astype(np.float32)


def _coloured_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    white = rng.standard_normal(n)
    exponent = rng.choice([0.0, 1.0, 2.0])  # white, pink, brown
    spectrum = np.fft.rfft(white)
    freqs = np.maximum(np.fft.rfftfreq(n, 1 / SAMPLE_RATE), 20.0)
    coloured = np.fft.irfft(spectrum / freqs ** (exponent / 2), n)
    return coloured / (np.std(coloured) + 1e-12)


def _noisy(audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    snr_db = rng.uniform(5, 25)
    signal_rms = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2))) + 1e-9
    noisy = audio + _coloured_noise(len(audio), rng) * signal_rms / 10 ** (snr_db / 20)
    tilt = rng.uniform(-0.6, 0.6)  # first-order pre-emphasis (>0) or de-emphasis (<0): microphone colour
    tilted = np.concatenate([noisy[:1], noisy[1:] - tilt * noisy[:-1]])
    return (tilted * signal_rms / (np.sqrt(np.mean(tilted**2)) + 1e-9)).astype(np.float32)


def _codec(audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    import soundfile as sf

    source = _band_limit(audio, 100, 3800) if rng.random() < 0.4 else audio
    buffer = io.BytesIO()
    sf.write(buffer, np.clip(source, -1, 1), SAMPLE_RATE, format="OGG", subtype="OPUS",
             compression_level=float(rng.uniform(0.6, 1.0)))
    buffer.seek(0)
    decoded, _ = sf.read(buffer, dtype="float32")
    out = np.zeros(len(audio), dtype=np.float32)
    out[: min(len(audio), len(decoded))] = decoded[: len(audio)]
    return out


def augment(audio: np.ndarray, variant: int, rng: np.random.Generator) -> np.ndarray:
    """One channel variant of a speech stream (deterministic for a given rng state)."""
    if variant == 0 or len(audio) == 0:
        return audio.astype(np.float32)
    kind = VARIANT_NAMES[(variant - 1) % (len(VARIANT_NAMES) - 1) + 1]
    if kind == "telephone":
        out = _telephone(audio, rng)
    elif kind == "noisy":
        out = _noisy(audio, rng)
    else:
        out = _codec(audio, rng)
    return _level(out, rng)
