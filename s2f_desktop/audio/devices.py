"""Input devices as PortAudio sees them (through sounddevice)."""

from __future__ import annotations

import atexit
from dataclasses import dataclass

import sounddevice as sd


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    host_api: str
    channels: int
    default_rate: float
    is_default: bool

    @property
    def label(self) -> str:
        mark = " (default)" if self.is_default else ""
        return f"{self.name}{mark}"


# Streams whose close never returned (a dead device deadlocked the backend). While any exists, PortAudio must
# not be terminated: Pa_Terminate would join the same stuck thread and freeze whoever called it.
_wedged_streams: list[object] = []


def mark_wedged(stream: object) -> None:
    if not _wedged_streams:
        atexit.unregister(sd._exit_handler)  # its Pa_Terminate would hang the app's exit
    _wedged_streams.append(stream)  # kept referenced: never closed again, never collected


def refresh() -> bool:
    """Re-enumerate devices (PortAudio only scans at initialisation: plugged-in devices appear after this).
    Returns False when a wedged stream makes re-initialising unsafe; the old device list then stays."""
    if _wedged_streams:
        return False
    sd._terminate()
    sd._initialize()
    return True


def default_input_index() -> int | None:
    try:
        index = sd.default.device[0]
        if index is None or index < 0:
            index = sd.query_hostapis(0)["default_input_device"]
    except Exception:  # noqa: BLE001 - no host API / no device at all
        return None
    return int(index) if index is not None and index >= 0 else None


def list_input_devices() -> list[InputDevice]:
    try:
        devices = sd.query_devices()
        host_apis = sd.query_hostapis()
    except Exception:  # noqa: BLE001 - PortAudio without any backend
        return []
    default = default_input_index()
    found = []
    for index, info in enumerate(devices):
        if info["max_input_channels"] <= 0:
            continue
        found.append(
            InputDevice(
                index=index,
                name=str(info["name"]),
                host_api=str(host_apis[info["hostapi"]]["name"]),
                channels=int(info["max_input_channels"]),
                default_rate=float(info["default_samplerate"]),
                is_default=index == default,
            )
        )
    return found


def find_device(name: str) -> InputDevice | None:
    """The device with this exact name (names survive re-plugging; indices do not)."""
    return next((d for d in list_input_devices() if d.name == name), None)
