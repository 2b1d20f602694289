"""A single-producer, single-consumer ring buffer for audio frames.

The audio callback only copies into it: no allocation, no lock. Each frame is written twice, at i and i + N
(Friture's trick), so the newest n frames are always one contiguous slice: no wrap-around copies, no np.roll.
The write counter is advanced after the data is in place, so a reader never sees a frame before it exists.
"""

from __future__ import annotations

import numpy as np


class RingBuffer:
    def __init__(self, capacity: int, channels: int = 1) -> None:
        if capacity <= 0 or channels <= 0:
            raise ValueError("capacity and channels must be positive")
        self.capacity = capacity
        self.channels = channels
        self._data = np.zeros((2 * capacity, channels), dtype=np.float32)
        self._written = 0  # frames written since creation (only the producer changes it)

    @property
    def frames_written(self) -> int:
        return self._written

    def write(self, block: np.ndarray) -> None:
        """Producer side: append a (frames, channels) or 1-D block. Overwrites the oldest frames."""
        if block.ndim == 1:
            block = block[:, None]
        count = len(block)
        if count == 0:
            return
        if count > self.capacity:  # only the newest `capacity` frames can be kept
            self._written += count - self.capacity
            block = block[-self.capacity :]
            count = self.capacity
        start = self._written % self.capacity
        first = min(count, self.capacity - start)
        self._data[start : start + first] = block[:first]
        self._data[start + self.capacity : start + self.capacity + first] = block[:first]
        rest = count - first
        if rest:
            self._data[:rest] = block[first:]
            self._data[self.capacity : self.capacity + rest] = block[first:]
        self._written += count

    def latest(self, count: int) -> np.ndarray:
        """A read-only view of the newest `count` frames (fewer if fewer were written), oldest first."""
        count = min(count, self.capacity, self._written)
        end = self._written % self.capacity + self.capacity
        view = self._data[end - count : end]
        view.flags.writeable = False
        return view


class RingReader:
    """Consumer side: hands out each frame once, in order, and counts frames lost to overruns."""

    def __init__(self, ring: RingBuffer, start_at_end: bool = True) -> None:
        self.ring = ring
        self.position = ring.frames_written if start_at_end else 0
        self.frames_lost = 0

    def read_new(self, max_frames: int | None = None) -> np.ndarray:
        written = self.ring.frames_written
        available = written - self.position
        if available > self.ring.capacity:  # the producer lapped us: count it, never hide it
            self.frames_lost += available - self.ring.capacity
            self.position = written - self.ring.capacity
            available = self.ring.capacity
        if max_frames is not None:
            available = min(available, max_frames)
        if available <= 0:
            return np.zeros((0, self.ring.channels), dtype=np.float32)
        start = self.position % self.ring.capacity
        block = self.ring._data[start : start + available].copy()
        self.position += available
        return block
