"""Live capture from a PortAudio input device.

The callback runs on PortAudio's thread and only copies the block into a ring buffer and counts overflows:
no allocation, no lock, no Qt. Everything else (downmix, resampling to 16 kHz, level) happens in `read_new()`,
called from the consumer's thread.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
import sounddevice as sd

from s2f_desktop.audio import devices
from s2f_desktop.audio.devices import InputDevice, default_input_index, list_input_devices
from s2f_desktop.audio.ring_buffer import RingBuffer, RingReader
from s2f_desktop.dsp.resample import StreamResampler

RING_SECONDS = 4.0  # consumer may stall this long before frames are lost
MAX_CHANNELS = 2  # more channels add nothing for one voice; downmixed anyway
BLOCK_SECONDS = 0.01  # 10 ms callbacks: the display gets fresh columns on every frame
STALL_SECONDS = 2.5
CLOSE_TIMEOUT_S = 1.5  # closing a stream whose device died can block forever (seen with ALSA's pulse plugin)  # no audio for this long while running = the device stopped delivering


class CaptureError(Exception):
    """The device could not be opened or stopped working; the message is meant for the user."""


@dataclass
class CaptureStatus:
    running: bool = False
    device_name: str = ""
    native_rate: float = 0.0
    channels: int = 0
    overflows: int = 0  # PortAudio reported input overflow (audio lost before it reached us)
    frames_lost: int = 0  # our consumer fell behind the ring buffer
    error: str | None = None


class LiveCapture:
    """One input stream; `read_new()` returns the 16 kHz mono audio captured since the last call."""

    def __init__(self, device: InputDevice | None = None) -> None:
        self.device = device
        self.status = CaptureStatus()
        self._stream: sd.InputStream | None = None
        self._ring: RingBuffer | None = None
        self._reader: RingReader | None = None
        self._resampler: StreamResampler | None = None
        self._overflows = 0
        self._last_data_time = 0.0
        self._last_callback_time = 0.0
        self.newest_read_arrival = 0.0  # when the newest block handed out by read_new() reached the ring

    def _callback(self, indata: np.ndarray, frames: int, time_info: object, status: sd.CallbackFlags) -> None:
        if status.input_overflow:
            self._overflows += 1
        ring = self._ring
        assert ring is not None  # created before the stream starts
        ring.write(indata)
        self._last_callback_time = time.monotonic()

    def _finished(self) -> None:
        # PortAudio ends the stream on its own when the device goes away; note it for the consumer.
        if self.status.running:
            self.status.error = f"The input device '{self.status.device_name}' stopped delivering audio."

    def start(self) -> None:
        device = self.device or self._default_device()
        channels = max(1, min(MAX_CHANNELS, device.channels))
        rate = device.default_rate or 48000.0
        self._ring = RingBuffer(int(rate * RING_SECONDS), channels)
        self._reader = RingReader(self._ring)
        self._resampler = StreamResampler(rate, quality="LQ")
        self._overflows = 0
        try:
            self._stream = sd.InputStream(
                device=device.index,
                channels=channels,
                samplerate=rate,
                dtype="float32",
                blocksize=int(rate * BLOCK_SECONDS),
                latency="low",
                callback=self._callback,
                finished_callback=self._finished,
            )
            self._stream.start()
        except Exception as exc:  # noqa: BLE001 - PortAudioError, or ValueError for a vanished index
            self._stream = None
            raise CaptureError(f"Could not open '{device.name}': {exc}") from exc
        self.status = CaptureStatus(running=True, device_name=device.name, native_rate=rate, channels=channels)
        self._last_data_time = time.monotonic()

    def _default_device(self) -> InputDevice:
        devices = list_input_devices()
        if not devices:
            raise CaptureError("No audio input device found. Connect a microphone, then press Listen again.")
        default = default_input_index()
        return next((d for d in devices if d.index == default), devices[0])

    def read_new(self) -> np.ndarray:
        """16 kHz mono audio since the last call (empty if none). Sets status.error if the device failed."""
        if self._reader is None or self._resampler is None:
            return np.zeros(0, dtype=np.float32)
        block = self._reader.read_new()
        self.status.overflows = self._overflows
        self.status.frames_lost = self._reader.frames_lost
        now = time.monotonic()
        if len(block):
            self._last_data_time = now
            self.newest_read_arrival = self._last_callback_time
        elif self.status.running and self.status.error is None:
            stream_dead = self._stream is not None and not self._stream.active
            if stream_dead or now - self._last_data_time > STALL_SECONDS:
                self.status.error = f"The input device '{self.status.device_name}' stopped delivering audio."
        return self._resampler.process(block)

    @property
    def input_latency_s(self) -> float:
        """PortAudio's estimate of the time from the microphone to the callback."""
        return float(self._stream.latency) if self._stream is not None else 0.0

    @property
    def failed(self) -> bool:
        return self.status.error is not None

    def stop(self) -> None:
        stream, self._stream = self._stream, None
        self.status.running = False
        if stream is not None:
            close_stream(stream)


def _abort_and_close(stream: sd.InputStream) -> None:
    try:
        stream.abort()
        stream.close()
    except Exception:  # noqa: BLE001 - closing a vanished device can fail; it is gone either way
        pass


def close_stream(stream: sd.InputStream) -> None:
    """Close on a helper thread and wait a bounded time: when a device dies, ALSA's pulse plugin can deadlock
    inside PortAudio's stop (seen here), and the caller is usually the UI thread, which must never freeze."""
    closer = threading.Thread(target=_abort_and_close, args=(stream,), name="close-stream", daemon=True)
    closer.start()
    closer.join(CLOSE_TIMEOUT_S)
    if closer.is_alive():
        devices.mark_wedged(stream)
