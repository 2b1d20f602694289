"""Short-time Fourier transform for the live spectrogram, and a log-frequency axis for display."""

from __future__ import annotations

import numpy as np

SAMPLE_RATE = 16000
N_FFT = 512  # 32 ms window: resolves the pitch harmonics of most voices
HOP = 160  # 10 ms per column: 100 columns per second
DB_FLOOR = -120.0


def hann(n: int) -> np.ndarray:
    """Periodic Hann window (as scipy.signal.get_window('hann', n))."""
    return (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)).astype(np.float32)


def power_db(frames: np.ndarray, window: np.ndarray) -> np.ndarray:
    """Frames (n, N_FFT) -> power in dB (n, N_FFT // 2 + 1), 0 dB = a full-scale sine."""
    spectrum = np.fft.rfft(frames * window, axis=-1)
    power = (spectrum.real**2 + spectrum.imag**2) * (4.0 / window.sum() ** 2)
    return 10.0 * np.log10(np.maximum(power, 10 ** (DB_FLOOR / 10)))


def stft_db(signal: np.ndarray, n_fft: int = N_FFT, hop: int = HOP) -> np.ndarray:
    """Whole-signal STFT (no padding): columns at hop steps, each (n_fft // 2 + 1) dB values."""
    if len(signal) < n_fft:
        return np.zeros((0, n_fft // 2 + 1), dtype=np.float32)
    count = 1 + (len(signal) - n_fft) // hop
    frames = np.lib.stride_tricks.sliding_window_view(signal, n_fft)[::hop][:count]
    return power_db(frames, hann(n_fft)).astype(np.float32)


class StreamingStft:
    """Push audio in any block sizes; get exactly the columns the whole-signal STFT would give."""

    def __init__(self, n_fft: int = N_FFT, hop: int = HOP) -> None:
        self.n_fft = n_fft
        self.hop = hop
        self.window = hann(n_fft)
        self._pending = np.zeros(0, dtype=np.float32)

    def reset(self) -> None:
        self._pending = np.zeros(0, dtype=np.float32)

    def push(self, audio: np.ndarray) -> np.ndarray:
        self._pending = np.concatenate([self._pending, audio.astype(np.float32, copy=False)])
        columns = stft_db(self._pending, self.n_fft, self.hop)
        self._pending = self._pending[len(columns) * self.hop :]
        return columns


class LogFrequencyAxis:
    """Maps FFT bins to rows spaced evenly in log-frequency (voice detail low, room to 8 kHz)."""

    def __init__(self, rows: int = 160, f_min: float = 60.0, f_max: float = 8000.0, n_fft: int = N_FFT) -> None:
        self.rows = rows
        self.f_min = f_min
        self.f_max = f_max
        self.frequencies = np.geomspace(f_min, f_max, rows)  # centre frequency of each display row
        bin_hz = SAMPLE_RATE / n_fft
        position = np.clip(self.frequencies / bin_hz, 0, n_fft // 2)
        self._low = np.floor(position).astype(int)
        self._high = np.minimum(self._low + 1, n_fft // 2)
        self._frac = (position - self._low).astype(np.float32)

    def apply(self, columns_db: np.ndarray) -> np.ndarray:
        """(n, bins) dB -> (n, rows) dB by linear interpolation between neighbouring bins."""
        return columns_db[:, self._low] * (1 - self._frac) + columns_db[:, self._high] * self._frac

    def row_of(self, frequency_hz: float) -> float:
        return float(np.log(frequency_hz / self.f_min) / np.log(self.f_max / self.f_min) * (self.rows - 1))


def to_uint8(columns_db: np.ndarray, floor_db: float, ceiling_db: float) -> np.ndarray:
    """Fixed dB range -> 0..255 (the display's 256-entry colour table does the rest)."""
    scaled = (columns_db - floor_db) * (255.0 / max(1e-6, ceiling_db - floor_db))
    return np.clip(scaled, 0, 255).astype(np.uint8)
