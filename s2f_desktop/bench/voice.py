"""Voice benchmark: encoder cost per 1.6 s window, and whole-file analysis speed (audio seconds per wall second).

The long file is synthesised into a temporary FLAC: the repository's espeak-ng test sentence (or, outside a
checkout, a synthetic voiced signal) repeated with random gains and 0.2-2 s pauses, so VAD, encoder and
accumulator all do real work (about 3/4 of it is speech).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000
SPEECH_SAMPLE = Path(__file__).resolve().parents[2] / "tests" / "data" / "espeak_en_16k.wav"


def _speech_unit() -> np.ndarray:
    if SPEECH_SAMPLE.is_file():
        import soundfile as sf

        audio, rate = sf.read(str(SPEECH_SAMPLE), dtype="float32", always_2d=True)
        if rate == SAMPLE_RATE:
            return audio.mean(axis=1)
    # A voiced stand-in: a gliding 90-250 Hz pulse train with syllable-like envelope.
    t = np.arange(4 * SAMPLE_RATE) / SAMPLE_RATE
    pitch = 150 + 60 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / SAMPLE_RATE
    voiced = sum(np.sin(k * phase) / k for k in range(1, 25))
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t) ** 2
    return (0.1 * voiced * envelope).astype(np.float32)


def synthesise_long_file(path: Path, seconds: float, seed: int = 0) -> float:
    """Write a speech-with-pauses FLAC of about `seconds`; returns its exact duration."""
    import soundfile as sf

    rng = np.random.default_rng(seed)
    unit = _speech_unit()
    total = int(seconds * SAMPLE_RATE)
    written = 0
    with sf.SoundFile(str(path), "w", samplerate=SAMPLE_RATE, channels=1, format="FLAC") as handle:
        while written < total:
            piece = unit * np.float32(10 ** (rng.uniform(-12, 3) / 20))
            pause = np.zeros(int(rng.uniform(0.2, 2.0) * SAMPLE_RATE), dtype=np.float32)
            block = np.concatenate([piece, pause])[: total - written]
            handle.write(np.clip(block, -1, 1))
            written += len(block)
    return written / SAMPLE_RATE


def measure(quick: bool = False) -> dict[str, object]:
    from s2f_desktop.dsp import mel
    from s2f_desktop.inference.voice_analysis import VoiceAnalyzer
    from s2f_desktop.inference.voice_encoder import VoiceEncoder

    figures: dict[str, object] = {}
    encoder = VoiceEncoder(threads=1)
    speech = np.tile(_speech_unit(), 12)
    count = min(64, mel.complete_window_count(len(speech)))
    mels = mel.window_mels(speech, 0, count)
    encoder.embed_mels(mels[:4])  # warm-up
    started = time.perf_counter()
    repeats = 1 if quick else 3
    for _ in range(repeats):
        encoder.embed_mels(mels)
    figures["encoder_ms_per_window"] = (time.perf_counter() - started) * 1000 / (repeats * count)
    figures["encoder_provider"] = encoder.provider

    analyzer = VoiceAnalyzer()
    with tempfile.TemporaryDirectory(prefix="s2f-bench-") as folder:
        path = Path(folder) / "long_speech.flac"
        duration = synthesise_long_file(path, 300.0 if quick else 1800.0)
        started, cpu_started = time.perf_counter(), time.process_time()
        result = analyzer.analyze(path)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    figures["file_analysis_realtime_factor"] = duration / wall
    # Audio seconds per CPU-second (all threads): independent of what else runs on a shared machine; with two
    # free cores the wall-clock factor approaches up to twice this (decode+VAD and the encoder run in parallel).
    figures["file_analysis_audio_s_per_cpu_s"] = duration / max(cpu, 1e-9)
    figures["file_analysis_seconds"] = duration
    figures["file_analysis_speech_share"] = result.speech_seconds / duration
    figures["file_analysis_provider"] = result.provider
    if hasattr(os, "getloadavg"):
        figures["voice_bench_load_average"] = round(os.getloadavg()[0], 2)
    return figures
