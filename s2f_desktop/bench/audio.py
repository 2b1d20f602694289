"""Test signals for the benchmarks: real synthetic speech (espeak-ng) when available, else a voice-like signal."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from s2f_desktop.audio.file_source import read_16k

SENTENCES = (
    "The portrait you see is an average of many faces, not a picture of the speaker. "
    "Please keep talking for a while, so that the estimate can settle."
)


def espeak_speech_file(folder: Path) -> Path | None:
    """A WAV of generated speech, or None when espeak-ng is not installed."""
    if shutil.which("espeak-ng") is None:
        return None
    path = folder / "speech.wav"
    subprocess.run(["espeak-ng", "-w", str(path), SENTENCES], check=True, capture_output=True)
    return path


def speech_like_audio(seconds: float) -> np.ndarray:
    """`seconds` of 16 kHz audio: looped espeak speech with pauses, or a harmonic voice-like buzz."""
    with tempfile.TemporaryDirectory() as folder:
        path = espeak_speech_file(Path(folder))
        if path is not None:
            speech = read_16k(path)
            unit = np.concatenate([speech, np.zeros(8000, dtype=np.float32)])
            return np.resize(unit, int(seconds * 16000)).astype(np.float32)
    t = np.arange(int(seconds * 16000)) / 16000
    pitch = 120 + 30 * np.sin(2 * np.pi * 0.5 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / 16000
    buzz = sum(np.sin(k * phase) / k for k in range(1, 20))
    gate = (np.sin(2 * np.pi * 0.3 * t) > -0.3).astype(np.float32)
    return (0.2 * buzz * gate).astype(np.float32)
