"""Fast analysis of a whole recording (or a time range of it): voice activity over everything, with progress
and cancellation, in constant memory whatever the length."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from s2f_desktop.audio.file_source import iter_blocks_16k, probe
from s2f_desktop.dsp.level import CLIP_THRESHOLD
from s2f_desktop.inference.vad import SAMPLE_RATE, SileroVad, segments_from_probabilities

BLOCK_SECONDS = 30.0
BATCH_BLOCKS = 8  # blocks whose VAD runs as one batch (4 minutes of audio)


class Cancelled(Exception):
    pass


@dataclass
class FileScan:
    path: str
    start_s: float
    end_s: float
    speech_segments: list[tuple[float, float]] = field(default_factory=list)  # seconds, in the recording
    clipped_samples: int = 0
    peak: float = 0.0

    @property
    def speech_seconds(self) -> float:
        return sum(end - start for start, end in self.speech_segments)


def scan_file(
    path: str,
    start_s: float = 0.0,
    end_s: float | None = None,
    vad: SileroVad | None = None,
    progress: Callable[[float], None] | None = None,
    cancel: threading.Event | None = None,
) -> FileScan:
    """Find the speech in [start_s, end_s). Raises AudioFileError for bad files, Cancelled when cancelled."""
    info = probe(path)
    end_s = info.duration_s if end_s is None else min(end_s, info.duration_s)
    vad = vad or SileroVad()
    scan = FileScan(path=str(path), start_s=start_s, end_s=end_s)
    pending: list[np.ndarray] = []
    offset_s = start_s

    def flush() -> None:
        nonlocal offset_s
        audio = np.concatenate(pending)
        pending.clear()
        for first, last in segments_from_probabilities(vad.probabilities(audio), n_samples=len(audio)):
            scan.speech_segments.append((offset_s + first / SAMPLE_RATE, offset_s + last / SAMPLE_RATE))
        offset_s += len(audio) / SAMPLE_RATE
        if progress is not None:
            progress(min(1.0, (offset_s - start_s) / max(1e-9, end_s - start_s)))

    for block in iter_blocks_16k(path, BLOCK_SECONDS, start_s, end_s):
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        scan.peak = max(scan.peak, float(np.abs(block).max(initial=0.0)))
        scan.clipped_samples += int(np.count_nonzero(np.abs(block) >= CLIP_THRESHOLD))
        pending.append(block)
        if len(pending) >= BATCH_BLOCKS:
            flush()
    if pending:
        flush()
    _merge_touching(scan.speech_segments)
    return scan


def _merge_touching(segments: list[tuple[float, float]]) -> None:
    """Speech cut by a batch boundary comes back as two touching segments: join them."""
    merged: list[tuple[float, float]] = []
    for start, end in segments:
        if merged and start - merged[-1][1] < 0.05:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    segments[:] = merged
