"""The microphone path against a REAL PortAudio capture device: the PulseAudio virtual microphone."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from s2f_desktop.audio.capture import CaptureError, LiveCapture
from s2f_desktop.audio.devices import InputDevice, list_input_devices
from s2f_desktop.audio.file_source import read_16k
from s2f_desktop.inference.vad import SAMPLE_RATE
from s2f_desktop.pipeline.live import LivePipeline

from .conftest import kill_virtual_mic, play_into_mic, restart_virtual_mic, shared_voice_file

pytestmark = pytest.mark.live_audio


def capture_while_playing(path: Path, extra_s: float = 1.5) -> tuple[np.ndarray, LivePipeline, LiveCapture]:
    capture = LiveCapture()
    capture.start()
    pipeline = LivePipeline()
    received = []
    try:
        time.sleep(0.3)  # a little silence before the speech starts
        player = play_into_mic(path)
        deadline = time.monotonic() + len(read_16k(path)) / SAMPLE_RATE + extra_s + 5
        finished_at = None
        while time.monotonic() < deadline:
            block = capture.read_new()
            received.append(block)
            pipeline.feed(block)
            if finished_at is None and player.poll() is not None:
                finished_at = time.monotonic()
            if finished_at is not None and time.monotonic() - finished_at > extra_s:
                break
            time.sleep(0.02)
    finally:
        capture.stop()
    return np.concatenate(received), pipeline, capture


def best_alignment(received: np.ndarray, reference: np.ndarray) -> tuple[int, float]:
    """Lag of the reference inside the received signal, and the correlation coefficient there."""
    size = 1 << int(np.ceil(np.log2(len(received) + len(reference))))
    xcorr = np.fft.irfft(np.fft.rfft(received, size) * np.conj(np.fft.rfft(reference, size)), size)
    lag = int(np.argmax(xcorr[: len(received)]))
    segment = received[lag : lag + len(reference)]
    return lag, float(np.corrcoef(segment, reference[: len(segment)])[0, 1])


def test_the_virtual_microphone_is_a_real_portaudio_input(virtual_mic: str) -> None:
    devices = list_input_devices()
    assert devices, "PortAudio lists no input device"
    assert any(d.is_default for d in devices)


def test_capture_receives_generated_speech_and_vad_marks_it(virtual_mic: str, speech_wav: Path) -> None:
    received, pipeline, capture = capture_while_playing(speech_wav)
    reference = read_16k(speech_wav)
    lag, correlation = best_alignment(received, reference)
    assert correlation > 0.9, f"captured audio does not match what was played (r={correlation:.3f})"
    assert capture.status.overflows == 0 and capture.status.frames_lost == 0
    # The file holds 1.5 s of silence, then speech, then 1.5 s of silence.
    speech_start = (lag / SAMPLE_RATE) + 1.5
    speech_length = len(reference) / SAMPLE_RATE - 3.0
    onsets = pipeline.stats.speech_onsets
    assert onsets and abs(onsets[0] - speech_start) < 0.4, (onsets, speech_start)
    assert speech_length * 0.8 < pipeline.stats.speech_seconds < speech_length + 1.0
    silence_before = pipeline.spectrogram.speech[0].sum() / 2  # columns flagged in the visible history
    assert silence_before < pipeline.spectrogram.width


def test_capture_receives_a_real_corpus_recording(virtual_mic: str) -> None:
    path = shared_voice_file("speechocean762", "female", 18, 43)
    received, pipeline, _ = capture_while_playing(path, extra_s=1.0)
    _, correlation = best_alignment(received, read_16k(path))
    assert correlation > 0.9
    assert pipeline.stats.speech_seconds > 1.0


def test_no_such_device_gives_a_clear_error(virtual_mic: str) -> None:
    ghost = InputDevice(index=999, name="unplugged USB microphone", host_api="ALSA", channels=1, default_rate=48000, is_default=False)
    with pytest.raises(CaptureError, match="unplugged USB microphone"):
        LiveCapture(ghost).start()


def test_device_disappearing_mid_capture_is_detected(virtual_mic: str, speech_wav: Path) -> None:
    capture = LiveCapture()
    capture.start()
    try:
        player = play_into_mic(speech_wav)
        got = 0
        start = time.monotonic()
        while time.monotonic() - start < 1.0:
            got += len(capture.read_new())
            time.sleep(0.02)
        assert got > 0.5 * SAMPLE_RATE
        player.kill()
        kill_virtual_mic()
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and not capture.failed:
            capture.read_new()
            time.sleep(0.05)
        assert capture.failed, "a vanished device went unnoticed"
        assert "stopped delivering audio" in (capture.status.error or "")
    finally:
        capture.stop()
        restart_virtual_mic()


def test_closing_a_deadlocked_stream_never_blocks_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seen here: after the PulseAudio server died, PortAudio's stop deadlocked inside ALSA's pulse plugin and
    froze the window. The stop must return in bounded time, and PortAudio must then not be re-initialised."""
    import threading

    import s2f_desktop.audio.capture as capture_module
    import s2f_desktop.audio.devices as devices

    monkeypatch.setattr(devices, "_wedged_streams", [])
    monkeypatch.setattr(devices.atexit, "unregister", lambda handler: None)
    release = threading.Event()

    class DeadlockedStream:  # stands in for the backend's deadlock, which cannot be produced on demand
        def abort(self) -> None:
            release.wait()

        def close(self) -> None:
            pass

    start = time.monotonic()
    capture_module.close_stream(DeadlockedStream())  # type: ignore[arg-type]
    assert time.monotonic() - start < capture_module.CLOSE_TIMEOUT_S + 1.0
    assert len(devices._wedged_streams) == 1
    assert devices.refresh() is False  # Pa_Terminate would join the stuck thread
    release.set()
