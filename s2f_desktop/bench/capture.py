"""Capture + spectrogram in the real window: frames drawn per second, CPU (% of one core) and audio-to-screen;
then the same window with the live portrait refining (window_with_portrait_cpu_percent).

Listens to the default input device (and plays generated speech into it when the PulseAudio virtual microphone
of installer/virtual-mic.sh is running); with no input device it plays a recording through the same pipeline.
audio_to_screen_ms = PortAudio's input latency + the measured time from a block reaching the ring buffer to the
frame that draws it (Qt's compositor adds at most one more display refresh on a real screen).
"""

from __future__ import annotations

import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _virtual_mic_running() -> bool:
    try:
        sinks = subprocess.run(["pactl", "list", "short", "sinks"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "vspk" in sinks.stdout


def measure(quick: bool = False) -> dict[str, object]:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import pyqtgraph as pg
    from PySide6 import QtCore, QtWidgets

    from s2f_desktop.bench.audio import espeak_speech_file
    from s2f_desktop.ui.main_window import MainWindow

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    pg.setConfigOptions(imageAxisOrder="row-major")
    seconds = 6.0 if quick else 20.0
    with tempfile.TemporaryDirectory() as folder:
        window = MainWindow(QtCore.QSettings(str(Path(folder) / "bench.ini"), QtCore.QSettings.Format.IniFormat))
        window.show()
        speech = espeak_speech_file(Path(folder))
        players: list[subprocess.Popen] = []
        if window.devices and window.start_listening():
            source = f"microphone '{window.selected_device().name}'"  # type: ignore[union-attr]
            if speech is not None and _virtual_mic_running():
                source += " fed with generated speech"
                loop = f"while true; do paplay --device=vspk '{speech}'; done"
                players.append(subprocess.Popen(["bash", "-c", loop], start_new_session=True))
        else:
            # No microphone: the same pipeline fed by a recording long enough for both phases.
            import soundfile as sf

            from s2f_desktop.bench.audio import speech_like_audio

            recording = Path(folder) / "long_speech.wav"
            sf.write(recording, speech_like_audio(2 * seconds + 5), 16000)
            window.open_file(str(recording))
            window.start_playback()
            source = "recording played as if live (no input device)"

        def run_loop(duration: float) -> None:
            loop = QtCore.QEventLoop()
            QtCore.QTimer.singleShot(int(duration * 1000), loop.quit)
            loop.exec()

        # Phase 1, capture + spectrogram alone (the portrait's inference is measured by bench.live).
        speech_consumer, window.pipeline.on_speech = window.pipeline.on_speech, None
        run_loop(1.5)  # warm-up: first stream reads, first paints
        frames_before = window.spectrogram_view.frames_drawn
        window.display_latencies.clear()
        cpu_before, wall_before = _cpu_seconds(), time.perf_counter()
        run_loop(seconds)
        wall = time.perf_counter() - wall_before
        cpu = _cpu_seconds() - cpu_before
        frames = window.spectrogram_view.frames_drawn - frames_before
        latencies = list(window.display_latencies)
        # Phase 2, the whole window as a user sees it: the portrait refining too.
        window.pipeline.on_speech = speech_consumer
        cpu_before, wall_before = _cpu_seconds(), time.perf_counter()
        run_loop(seconds)
        window_cpu = 100.0 * (_cpu_seconds() - cpu_before) / (time.perf_counter() - wall_before)
        input_latency = window.capture.input_latency_s if window.capture is not None else 0.0
        overflows = window.capture.status.overflows if window.capture is not None else 0
        for player in players:
            os.killpg(player.pid, 15)
        window.close()
        app.processEvents()
    figures: dict[str, object] = {
        "spectrogram_fps": frames / wall,
        "capture_cpu_percent": 100.0 * cpu / wall,
        "window_with_portrait_cpu_percent": window_cpu,
        "capture_source": source,
        "capture_overflows": overflows,
    }
    if latencies:
        ring_to_screen = float(np.median(latencies))
        figures["audio_to_screen_ms"] = 1000 * (input_latency + ring_to_screen)
        figures["audio_to_screen_p95_ms"] = 1000 * (input_latency + float(np.percentile(latencies, 95)))
        figures["input_latency_ms"] = 1000 * input_latency
    return figures
