"""Recordings: read any file libsndfile understands as 16 kHz mono float32, in blocks (3-hour files stay small)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from s2f_desktop.dsp.resample import TARGET_RATE, StreamResampler

SUPPORTED_SUFFIXES = (".wav", ".flac", ".ogg", ".opus", ".oga", ".mp3", ".aiff", ".aif", ".au", ".caf", ".w64")


class AudioFileError(Exception):
    """A recording cannot be used; the message is meant for the user."""


@dataclass(frozen=True)
class RecordingInfo:
    path: Path
    duration_s: float
    sample_rate: int
    channels: int
    format: str
    frames: int


def probe(path: str | Path) -> RecordingInfo:
    """Read the header; raise AudioFileError with a clear message for unreadable, empty or missing files."""
    path = Path(path)
    if not path.exists():
        raise AudioFileError(f"'{path.name}' does not exist.")
    if path.is_dir():
        raise AudioFileError(f"'{path.name}' is a folder, not a recording.")
    try:
        info = sf.info(str(path))
    except Exception as exc:  # noqa: BLE001 - libsndfile raises LibsndfileError/RuntimeError/TypeError
        raise AudioFileError(
            f"'{path.name}' could not be read as audio: it is corrupt or in an unsupported format "
            f"(WAV, FLAC, OGG/Opus, MP3 and other formats libsndfile reads are supported)."
        ) from exc
    if info.frames <= 0 or info.samplerate <= 0:
        raise AudioFileError(f"'{path.name}' contains no audio (zero length).")
    return RecordingInfo(
        path=path,
        duration_s=info.frames / info.samplerate,
        sample_rate=int(info.samplerate),
        channels=int(info.channels),
        format=f"{info.format} {info.subtype}".strip(),
        frames=int(info.frames),
    )


def iter_blocks_16k(
    path: str | Path, block_seconds: float = 30.0, start_s: float = 0.0, end_s: float | None = None
) -> Iterator[np.ndarray]:
    """Yield consecutive 16 kHz mono float32 blocks of about `block_seconds` covering [start_s, end_s)."""
    info = probe(path)
    first = max(0, int(start_s * info.sample_rate))
    last = info.frames if end_s is None else min(info.frames, int(end_s * info.sample_rate))
    block_frames = max(1, int(block_seconds * info.sample_rate))
    resampler = StreamResampler(info.sample_rate)
    try:
        with sf.SoundFile(str(info.path)) as handle:
            if first:
                handle.seek(first)
            position = first
            while position < last:
                count = min(block_frames, last - position)
                data = handle.read(count, dtype="float32", always_2d=True)
                if len(data) == 0:
                    break
                position += len(data)
                out = resampler.process(data, last=position >= last)
                if len(out):
                    yield out
            tail = resampler.flush() if position < last else np.zeros(0, np.float32)
            if len(tail):
                yield tail
    except AudioFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - a truncated file fails mid-way: say so, keep what was read
        raise AudioFileError(f"'{info.path.name}' is damaged: reading stopped at {position / info.sample_rate:.1f} s.") from exc


def read_16k(path: str | Path, start_s: float = 0.0, end_s: float | None = None) -> np.ndarray:
    """The whole range as one 16 kHz mono array (for short files and tests; prefer iter_blocks_16k)."""
    blocks = list(iter_blocks_16k(path, start_s=start_s, end_s=end_s))
    return np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)


__all__ = ["AudioFileError", "RecordingInfo", "probe", "iter_blocks_16k", "read_16k", "TARGET_RATE"]
