"""Input level for the meter: peak and RMS in dBFS, and clipping."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CLIP_THRESHOLD = 0.995  # samples this close to full scale are treated as clipped
SILENCE_DB = -100.0


@dataclass(frozen=True)
class Level:
    peak_db: float
    rms_db: float
    clipped_samples: int


def measure_level(block: np.ndarray) -> Level:
    if len(block) == 0:
        return Level(SILENCE_DB, SILENCE_DB, 0)
    magnitude = np.abs(block)
    peak = float(magnitude.max())
    rms = float(np.sqrt(np.mean(np.square(block, dtype=np.float64))))
    return Level(
        peak_db=20 * np.log10(max(peak, 1e-5)),
        rms_db=20 * np.log10(max(rms, 1e-5)),
        clipped_samples=int(np.count_nonzero(magnitude >= CLIP_THRESHOLD)),
    )
