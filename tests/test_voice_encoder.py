"""The app's numpy front-end + ONNX encoder against resemblyzer (stored reference and, when installed, live)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from s2f_desktop.dsp import mel
from s2f_desktop.inference.speech_evidence import SpeechEvidence
from s2f_desktop.inference.voice_encoder import VoiceEncoder

HERE = Path(__file__).resolve().parent
RECORDING = HERE / "data" / "espeak_en_16k.wav"  # espeak-ng, synthetic speech, 16 kHz
REFERENCE = HERE / "reference" / "resemblyzer_espeak_en.npz"  # made by s2f_desktop.training.voice_reference


@pytest.fixture(scope="module")
def encoder() -> VoiceEncoder:
    return VoiceEncoder(threads=1)


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    audio, rate = sf.read(str(RECORDING), dtype="float32")
    assert rate == 16000
    return audio


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))


def test_mel_matches_librosa_layout() -> None:
    audio = np.random.default_rng(0).standard_normal(16000).astype(np.float32) * 0.1
    frames = mel.mel_spectrogram(audio)
    assert frames.shape == (1 + len(audio) // mel.HOP, mel.N_MELS)
    assert frames.dtype == np.float32 and np.all(frames >= 0)
    bank = mel.mel_filterbank()
    assert bank.shape == (40, 201)
    if importlib.util.find_spec("librosa") is not None:
        import librosa

        assert np.allclose(bank, librosa.filters.mel(sr=16000, n_fft=400, n_mels=40), atol=1e-8)
        reference = librosa.feature.melspectrogram(y=audio, sr=16000, n_fft=400, hop_length=160, n_mels=40).T
        assert np.allclose(frames, reference, rtol=1e-3, atol=1e-6 * reference.max())


def test_loudness_rule_is_increase_only() -> None:
    loud = np.full(1000, 0.5, dtype=np.float32)  # about -6 dBFS: left alone
    quiet = np.full(1000, 10 ** (-50 / 20), dtype=np.float32)  # -50 dBFS: raised by 20 dB to -30 dBFS
    assert mel.loudness_gain(loud) == 1.0
    assert mel.loudness_gain(quiet) == pytest.approx(10.0, rel=1e-4)
    assert mel.loudness_gain(np.zeros(100, np.float32)) == 1.0


@pytest.mark.parametrize("level", ["1", "0.05"])
def test_matches_stored_resemblyzer_reference(encoder: VoiceEncoder, speech: np.ndarray, level: str) -> None:
    reference = np.load(REFERENCE)
    audio = speech * float(level)
    windows = encoder.window_embeddings(audio)
    partials = reference[f"partials_{level}"]
    assert len(windows) >= 5
    # Same window positions: resemblyzer's windows start every 77 frames; it adds a last, padded window that
    # covers >= 75% real audio, which the app leaves out (it waits for complete windows).
    assert np.all(_cos(windows, partials[: len(windows)]) > 0.99)
    utterance = encoder.embed_utterance(audio)
    assert float(_cos(utterance, reference[f"utterance_{level}"])) > 0.99
    assert np.linalg.norm(utterance) == pytest.approx(1.0, abs=1e-5)


def test_matches_resemblyzer_live(encoder: VoiceEncoder, speech: np.ndarray) -> None:
    if importlib.util.find_spec("torch") is None or importlib.util.find_spec("resemblyzer") is None:
        pytest.skip("torch/resemblyzer (the training extra) are not installed; the stored reference test covers this")
    from s2f_desktop.training.voice_reference import reference_embeddings

    live = reference_embeddings(speech)
    for level in ("1", "0.05"):
        audio = speech * float(level)
        assert float(_cos(encoder.embed_utterance(audio), live[f"utterance_{level}"])) > 0.99
        windows = encoder.window_embeddings(audio)
        assert np.all(_cos(windows, live[f"partials_{level}"][: len(windows)]) > 0.99)


def test_streaming_equals_batch(encoder: VoiceEncoder, speech: np.ndarray) -> None:
    audio = np.concatenate([speech, speech * 0.3, speech])  # ~18 s with a quieter middle
    batch = encoder.embed_utterance(audio)
    evidence = SpeechEvidence(encoder)
    rng = np.random.default_rng(1)
    position = 0
    while position < len(audio):
        size = int(rng.integers(100, 9000))
        evidence.add_speech(audio[position : position + size])
        position += size
    assert evidence.speech_seconds == pytest.approx(len(audio) / 16000)
    assert evidence.window_count == mel.complete_window_count(len(audio))
    streamed = evidence.embedding()
    assert streamed is not None
    assert np.allclose(streamed, batch, atol=1e-5)
    # Old audio is dropped: the buffer holds less than two windows' worth.
    assert len(evidence._buffer) < 2 * mel.WINDOW_SAMPLES


def test_short_evidence_and_reset(encoder: VoiceEncoder, speech: np.ndarray) -> None:
    evidence = SpeechEvidence(encoder)
    assert evidence.embedding() is None and evidence.speech_seconds == 0.0
    short = speech[8000:24000]  # 1 s: no complete window yet, a zero-padded one stands in
    evidence.add_speech(short)
    assert evidence.window_count == 0
    provisional = evidence.embedding()
    assert provisional is not None
    assert np.allclose(provisional, encoder.embed_utterance(short), atol=1e-5)
    evidence.reset()
    assert evidence.embedding() is None and evidence.speech_seconds == 0.0
