"""Play a recording into the pipeline "as if live": a reader thread decodes it and releases audio at the pace of
the wall clock (times `speed`), so the spectrogram and the portrait behave exactly as with a microphone."""

from __future__ import annotations

import threading
import time

import numpy as np

from s2f_desktop.audio.file_source import AudioFileError, RecordingInfo, iter_blocks_16k, probe
from s2f_desktop.audio.ring_buffer import RingBuffer, RingReader

SAMPLE_RATE = 16000
BLOCK_SECONDS = 0.02  # release audio in 20 ms steps, like a sound card


class FilePlayback:
    def __init__(self, path: str, speed: float = 1.0, start_s: float = 0.0, end_s: float | None = None) -> None:
        self.info: RecordingInfo = probe(path)  # raises AudioFileError for bad files, before any thread starts
        self.speed = speed
        self.start_s = start_s
        self.end_s = self.info.duration_s if end_s is None else min(end_s, self.info.duration_s)
        self._ring = RingBuffer(SAMPLE_RATE * 30)
        self._reader = RingReader(self._ring, start_at_end=False)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.samples_delivered = 0
        self.finished = False
        self.error: str | None = None

    @property
    def position_s(self) -> float:
        """Position in the recording of the newest audio handed to the pipeline."""
        return self.start_s + self._reader.position / SAMPLE_RATE

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="file-playback", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        began = time.monotonic()
        try:
            for block in iter_blocks_16k(self.info.path, BLOCK_SECONDS * 10, self.start_s, self.end_s):
                for offset in range(0, len(block), int(SAMPLE_RATE * BLOCK_SECONDS)):
                    if self._stop.is_set():
                        return
                    piece = block[offset : offset + int(SAMPLE_RATE * BLOCK_SECONDS)]
                    due = began + (self.samples_delivered + len(piece)) / (SAMPLE_RATE * self.speed)
                    delay = due - time.monotonic()
                    if delay > 0:
                        self._stop.wait(delay)
                    self._ring.write(piece)
                    self.samples_delivered += len(piece)
        except AudioFileError as exc:
            self.error = str(exc)
        finally:
            self.finished = True

    def read_new(self) -> np.ndarray:
        return self._reader.read_new()[:, 0]

    @property
    def done(self) -> bool:
        """Everything was delivered and read."""
        return self.finished and self._reader.position >= self._ring.frames_written

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
