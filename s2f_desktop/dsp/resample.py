"""Any rate, any channel count -> 16 kHz mono float32, block by block without clicks between blocks."""

from __future__ import annotations

import numpy as np
import soxr

TARGET_RATE = 16000


def to_mono(block: np.ndarray) -> np.ndarray:
    """Average the channels of a (frames, channels) block; 1-D input is returned as float32."""
    if block.ndim == 1:
        return block.astype(np.float32, copy=False)
    return block.mean(axis=1, dtype=np.float32)


class StreamResampler:
    """Streaming resampler to 16 kHz mono (libsoxr keeps its filter state between blocks)."""

    def __init__(self, in_rate: float, quality: str = "HQ") -> None:
        self.in_rate = float(in_rate)
        self._passthrough = int(round(self.in_rate)) == TARGET_RATE
        self._stream = None if self._passthrough else soxr.ResampleStream(self.in_rate, TARGET_RATE, 1, dtype="float32", quality=quality)

    def process(self, block: np.ndarray, last: bool = False) -> np.ndarray:
        mono = to_mono(block)
        if self._stream is None:
            return mono.copy()
        return self._stream.resample_chunk(mono, last=last)

    def flush(self) -> np.ndarray:
        return self.process(np.zeros(0, dtype=np.float32), last=True)


def resample(audio: np.ndarray, in_rate: float) -> np.ndarray:
    """Whole-signal resampling to 16 kHz mono float32."""
    mono = to_mono(audio)
    if int(round(in_rate)) == TARGET_RATE:
        return mono
    return soxr.resample(mono, in_rate, TARGET_RATE).astype(np.float32, copy=False)
