"""The scrolling spectrogram as data: a uint8 image the display shows as is, plus a speech flag per column.

Each column is written twice (at c and c + W), so the newest W columns are always the contiguous slice
[c + 1, c + 1 + W): the display moves the image instead of shifting pixels, and nothing is ever np.roll-ed.
"""

from __future__ import annotations

import numpy as np

from s2f_desktop.dsp.stft import HOP, N_FFT, SAMPLE_RATE, LogFrequencyAxis, to_uint8

COLUMNS_PER_SECOND = SAMPLE_RATE / HOP  # 100


class SpectrogramModel:
    def __init__(self, history_s: float = 12.0, rows: int = 160, floor_db: float = -90.0, ceiling_db: float = -10.0):
        self.width = int(history_s * COLUMNS_PER_SECOND)
        self.axis = LogFrequencyAxis(rows)
        self.floor_db = floor_db
        self.ceiling_db = ceiling_db
        self.image = np.zeros((rows, 2 * self.width), dtype=np.uint8)  # row-major: rows = frequency
        self.speech = np.zeros((1, 2 * self.width), dtype=np.uint8)  # 1 where the VAD heard speech
        self.columns_written = 0
        self._pending_marks: list[tuple[int, int]] = []  # speech judged before its columns were drawn

    @property
    def history_s(self) -> float:
        return self.width / COLUMNS_PER_SECOND

    def set_range(self, floor_db: float, ceiling_db: float) -> None:
        """New colour range; applies to columns from now on (old columns keep theirs, as on a paper chart)."""
        self.floor_db, self.ceiling_db = floor_db, min(max(ceiling_db, floor_db + 10.0), 20.0)

    def clear(self) -> None:
        self.image[:] = 0
        self.speech[:] = 0
        self.columns_written = 0
        self._pending_marks = []

    def copy_from(self, other: SpectrogramModel) -> None:
        """Show another model's picture (same size) in this one, e.g. a still preview of a recording."""
        self.image[:] = other.image
        self.speech[:] = other.speech
        self.columns_written = other.columns_written
        self._pending_marks = []

    def push(self, columns_db: np.ndarray) -> None:
        """Append STFT columns (n, N_FFT // 2 + 1) in dB."""
        if len(columns_db) == 0:
            return
        pixels = to_uint8(self.axis.apply(columns_db), self.floor_db, self.ceiling_db).T  # (rows, n)
        for start in range(0, pixels.shape[1], self.width):  # at most `width` columns matter
            self._write(pixels[:, start : start + self.width])

    def _write(self, pixels: np.ndarray) -> None:
        count = pixels.shape[1]
        position = self.columns_written % self.width
        first = min(count, self.width - position)
        for offset in (0, self.width):
            self.image[:, position + offset : position + offset + first] = pixels[:, :first]
            self.image[:, offset : offset + count - first] = pixels[:, first:]
            self.speech[:, position + offset : position + offset + first] = 0
            self.speech[:, offset : offset + count - first] = 0
        self.columns_written += count
        marks, self._pending_marks = self._pending_marks, []
        for first_column, last_column in marks:
            self._mark_columns(first_column, last_column)

    def mark_speech(self, first_sample: int, last_sample: int) -> None:
        """Flag the columns whose window centre lies in [first_sample, last_sample) of the stream."""
        first = max(0, -(-(first_sample - N_FFT // 2) // HOP))
        last = max(0, -(-(last_sample - N_FFT // 2) // HOP))
        self._mark_columns(first, last)

    def _mark_columns(self, first: int, last: int) -> None:
        if last > self.columns_written:  # the VAD runs slightly ahead of the STFT: finish when drawn
            self._pending_marks.append((max(first, self.columns_written), last))
        first = max(first, self.columns_written - self.width)
        last = min(last, self.columns_written)
        for column in range(first, last):
            index = column % self.width
            self.speech[0, index] = 1
            self.speech[0, index + self.width] = 1

    def visible_start(self) -> int:
        """Index of the oldest visible column in `image` (the slice [start, start + width) is on screen)."""
        return self.columns_written % self.width
