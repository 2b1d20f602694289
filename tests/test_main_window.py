"""The real main window, driven with pytest-qt (offscreen), with real files, real models and the virtual mic."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6 import QtCore, QtGui

from s2f_desktop.audio.file_source import read_16k
from s2f_desktop.ui.main_window import MainWindow

from .conftest import ROOT, kill_virtual_mic, play_into_mic, restart_virtual_mic


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    settings = QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat)
    main = MainWindow(settings)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main
    main.close()


def test_open_a_recording_and_play_it_as_if_live(window: MainWindow, qtbot, speech_wav: Path, artifacts_dir: Path) -> None:
    assert window.open_file(str(speech_wav))
    assert window.timeline.isVisible() and window.play_action.isEnabled()
    assert window.start_playback(speed=3.0)
    qtbot.waitUntil(lambda: window.playback is None, timeout=15000)
    spectrogram = window.pipeline.spectrogram
    duration = len(read_16k(speech_wav)) / 16000
    assert spectrogram.columns_written > 0.9 * duration * 100
    assert spectrogram.speech.sum() > 0, "speech was not marked on the spectrogram"
    assert spectrogram.image.max() > 150, "the spectrogram shows no energy"
    assert window.spectrogram_view.frames_drawn > 10
    assert window.timeline.position_s > duration - 0.2
    window.save_screenshot(artifacts_dir / "main_window_file_played.png")


def test_seek_moves_playback(window: MainWindow, qtbot, speech_wav: Path) -> None:
    window.open_file(str(speech_wav))
    window.start_playback(speed=1.0)
    window.seek(6.0)
    qtbot.wait(300)
    assert window.playback is not None and window.playback.position_s >= 6.0
    window.stop_playback()


def test_fast_analysis_with_progress_and_cancel(window: MainWindow, qtbot, speech_wav: Path, tmp_path: Path, artifacts_dir: Path) -> None:
    long_file = tmp_path / "long.flac"
    sf.write(long_file, np.tile(read_16k(speech_wav), 30), 16000)
    window.open_file(str(long_file))
    window.start_scan()
    assert window.progress_widget.isVisible()
    qtbot.waitUntil(lambda: window.scan_job is None, timeout=60000)
    assert window.last_scan is not None and len(window.last_scan.speech_segments) >= 30
    assert "of speech" in window.message_bar.text.text()
    assert len(window.timeline.speech_segments) >= 30
    assert window.pipeline.spectrogram.image.max() > 150, "the analysis wiped the recording's spectrogram"
    window.save_screenshot(artifacts_dir / "main_window_fast_analysis.png")
    window.start_scan()
    window.cancel_scan()
    qtbot.waitUntil(lambda: window.scan_job is None, timeout=30000)
    assert "cancelled" in window.message_bar.text.text()
    assert window.last_scan is None or len(window.last_scan.speech_segments) >= 30  # nothing lost


def test_a_selection_limits_fast_analysis(window: MainWindow, qtbot, speech_wav: Path) -> None:
    window.open_file(str(speech_wav))
    window.timeline.set_selection((0.0, 1.2))  # only the leading silence
    window.start_scan()
    qtbot.waitUntil(lambda: window.scan_job is None, timeout=20000)
    assert window.last_scan is not None and window.last_scan.speech_seconds == 0
    assert "No speech found" in window.message_bar.text.text()


def test_bad_files_give_a_message_and_lose_nothing(window: MainWindow, speech_wav: Path, tmp_path: Path, artifacts_dir: Path) -> None:
    window.open_file(str(speech_wav))
    corrupt = tmp_path / "broken.flac"
    corrupt.write_bytes(b"fLaC" + os.urandom(300))
    assert not window.open_file(str(corrupt))
    assert window.message_bar.isVisible()
    assert "broken.flac" in window.message_bar.text.text()
    assert window.recording is not None and window.recording.path == speech_wav  # still the good file
    window.save_screenshot(artifacts_dir / "main_window_bad_file.png")
    empty = tmp_path / "empty.wav"
    sf.write(empty, np.zeros(0, dtype=np.float32), 16000)
    assert not window.open_file(str(empty))
    assert "no audio" in window.message_bar.text.text()


def test_drop_a_file_on_the_window(window: MainWindow, speech_wav: Path) -> None:
    mime = QtCore.QMimeData()
    mime.setUrls([QtCore.QUrl.fromLocalFile(str(speech_wav))])
    event = QtGui.QDropEvent(
        QtCore.QPointF(10, 10), QtCore.Qt.DropAction.CopyAction, mime, QtCore.Qt.MouseButton.NoButton, QtCore.Qt.KeyboardModifier.NoModifier
    )
    window.dropEvent(event)
    assert window.recording is not None and window.recording.path == speech_wav


@pytest.mark.live_audio
def test_listen_to_speech_and_stop(window: MainWindow, qtbot, virtual_mic: str, speech_wav: Path, artifacts_dir: Path) -> None:
    window.populate_devices(rescan=True)
    assert window.device_combo.count() >= 1 and "(default)" in "".join(
        window.device_combo.itemText(i) for i in range(window.device_combo.count())
    )
    qtbot.keyClick(window, QtCore.Qt.Key.Key_L, QtCore.Qt.KeyboardModifier.ControlModifier)
    assert window.capture is not None, window.message_bar.text.text()
    player = play_into_mic(speech_wav)
    qtbot.waitUntil(lambda: window.pipeline.stats.speech_seconds > 4.0, timeout=20000)
    qtbot.waitUntil(lambda: player.poll() is not None, timeout=20000)
    window.update_status()
    assert "Listening" in window.audio_status.text() and "overflows 0" in window.audio_status.text()
    assert "Inference: CPU" in window.provider_status.text() or "CUDA" in window.provider_status.text()
    window.save_screenshot(artifacts_dir / "main_window_listening.png")
    window.spectrogram_view.save_png(str(artifacts_dir / "spectrogram_live_speech.png"))
    qtbot.keyClick(window, QtCore.Qt.Key.Key_L, QtCore.Qt.KeyboardModifier.ControlModifier)
    assert window.capture is None and window.listen_action.text() == "Listen"


@pytest.mark.live_audio
def test_device_vanishing_while_listening(window: MainWindow, qtbot, virtual_mic: str, speech_wav: Path, artifacts_dir: Path) -> None:
    window.populate_devices(rescan=True)
    assert window.start_listening()
    play_into_mic(speech_wav)
    qtbot.waitUntil(lambda: window.pipeline.stats.speech_seconds > 1.0, timeout=15000)
    kill_virtual_mic()
    try:
        qtbot.waitUntil(lambda: window.capture is None, timeout=10000)
        text = window.message_bar.text.text()
        assert "stopped delivering audio" in text and "kept on screen" in text
        assert window.message_bar.action_button.isVisible() and window.message_bar.action_button.text() == "Reconnect"
        assert window.pipeline.stats.speech_seconds > 1.0  # what was captured is kept
        window.save_screenshot(artifacts_dir / "main_window_device_lost.png")
    finally:
        restart_virtual_mic()
    window.message_bar.action_button.click()  # Reconnect
    assert window.capture is not None, window.message_bar.text.text()
    window.stop_listening()


NO_DEVICE_SCRIPT = """
import sys
from PySide6 import QtCore, QtWidgets
app = QtWidgets.QApplication([])
from s2f_desktop.ui.main_window import MainWindow
w = MainWindow(QtCore.QSettings(sys.argv[1], QtCore.QSettings.Format.IniFormat))
w.show()
ok = w.start_listening()
app.processEvents()
w.save_screenshot(sys.argv[2])
print(ok, w.device_combo.currentText(), '|', w.message_bar.text.text())
w.close()
"""


def test_no_input_device_at_all(tmp_path: Path, artifacts_dir: Path) -> None:
    # A real "no device" machine: ALSA configured with a sound card that does not exist.
    alsa = tmp_path / "asound.conf"
    alsa.write_text("pcm.!default { type hw card 7 }\nctl.!default { type hw card 7 }\n")
    env = dict(os.environ, ALSA_CONFIG_PATH=str(alsa), QT_QPA_PLATFORM="offscreen", PULSE_SERVER="unix:/nonexistent")
    shot = artifacts_dir / "main_window_no_device.png"
    result = subprocess.run(
        [sys.executable, "-c", NO_DEVICE_SCRIPT, str(tmp_path / "s.ini"), str(shot)],
        env=env, capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("False no input device found")
    assert "No audio input device found" in result.stdout
    assert shot.is_file()


def test_settings_remember_the_device_and_range(qtbot, tmp_path: Path) -> None:
    path = str(tmp_path / "remember.ini")
    first = MainWindow(QtCore.QSettings(path, QtCore.QSettings.Format.IniFormat))
    qtbot.addWidget(first)
    first.floor_spin.setValue(-80)
    if first.device_combo.count() > 1:
        first.device_combo.setCurrentIndex(1)
    chosen = first.device_combo.currentText()
    first.settings.sync()
    first.close()
    time.sleep(0.1)
    second = MainWindow(QtCore.QSettings(path, QtCore.QSettings.Format.IniFormat))
    qtbot.addWidget(second)
    assert second.floor_spin.value() == -80
    assert second.device_combo.currentText() == chosen
    second.close()
