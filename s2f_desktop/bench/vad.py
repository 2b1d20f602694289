"""VAD cost: the live path (chunk by chunk) and the file path (batched), per second of audio."""

from __future__ import annotations

import time

import numpy as np

from s2f_desktop.bench.audio import speech_like_audio
from s2f_desktop.inference.session import provider_label
from s2f_desktop.inference.vad import SileroVad, StreamingVad


def measure(quick: bool = False) -> dict[str, object]:
    seconds = 20.0 if quick else 120.0
    audio = speech_like_audio(seconds)
    vad = SileroVad()
    vad.probabilities(audio[:16000])  # warm-up
    start = time.perf_counter()
    streaming = StreamingVad(vad)
    for offset in range(0, len(audio), 160):  # 10 ms blocks, as the display timer sees them
        streaming.push(audio[offset : offset + 160])
    live_ms = (time.perf_counter() - start) * 1000 / seconds
    start = time.perf_counter()
    vad.probabilities(np.tile(audio, 5))
    batch_ms = (time.perf_counter() - start) * 1000 / (5 * seconds)
    return {
        "vad_ms_per_second_of_audio": live_ms,
        "vad_batch_ms_per_second_of_audio": batch_ms,
        "provider": provider_label(vad.provider),
    }
