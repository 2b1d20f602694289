"""The main window: toolbar, message bar, spectrogram with level meter and timeline, portrait panel, status bar.

One display timer (~60 Hz) drains the active source through the pipeline and refreshes the widgets; a slower
timer refreshes the status text. Long work (fast analysis) runs on a worker thread with progress and Cancel.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from s2f_desktop.audio.capture import CaptureError, LiveCapture
from s2f_desktop.audio.devices import InputDevice, list_input_devices, refresh
from s2f_desktop.audio.file_playback import FilePlayback
from s2f_desktop.audio.file_source import AudioFileError, RecordingInfo, probe
from s2f_desktop.inference.session import ModelError, cuda_unavailable_reason, provider_label
from s2f_desktop.inference.vad import SileroVad
from s2f_desktop.paths import resources_dir
from s2f_desktop.pipeline.file_scan import Cancelled, FileScan, scan_file
from s2f_desktop.pipeline.live import LivePipeline
from s2f_desktop.pipeline.preview import PreviewJob
from s2f_desktop.ui.level_meter import LevelMeter
from s2f_desktop.ui.message_bar import MessageBar
from s2f_desktop.ui.portrait_panel import PortraitPanel
from s2f_desktop.ui.spectrogram_view import SpectrogramView
from s2f_desktop.ui.timeline import Timeline

FRAME_MS = 30  # ~33 Hz: smooth scrolling within the CPU budget (painting dominates; see s2f bench)
STATUS_MS = 250
SETTINGS_DEVICE = "audio/device_name"
SETTINGS_FLOOR = "display/floor_db"
SETTINGS_CEILING = "display/ceiling_db"
AUDIO_FILTER = "Recordings (*.wav *.flac *.ogg *.opus *.oga *.mp3 *.aiff *.aif);;All files (*)"


class ScanJob:
    """Fast analysis on a worker thread; the display timer reads `progress` and `result`."""

    def __init__(self, path: str, vad: SileroVad, start_s: float = 0.0, end_s: float | None = None) -> None:
        self.progress = 0.0
        self.result: FileScan | None = None
        self.error: str | None = None
        self.cancelled = False
        self.cancel_event = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(path, vad, start_s, end_s), name="fast-analysis", daemon=True
        )
        self._thread.start()

    def _run(self, path: str, vad: SileroVad, start_s: float, end_s: float | None) -> None:
        try:
            self.result = scan_file(path, start_s, end_s, vad=vad, progress=self._set_progress, cancel=self.cancel_event)
        except Cancelled:
            self.cancelled = True
        except AudioFileError as exc:
            self.error = str(exc)

    def _set_progress(self, value: float) -> None:
        self.progress = value

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def cancel(self) -> None:
        self.cancel_event.set()


class MainWindow(QtWidgets.QMainWindow):
    def __init__(self, settings: QtCore.QSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or QtCore.QSettings()
        self.setWindowTitle("s2f-desktop — voice to portrait")
        self.resize(1280, 780)
        self.setAcceptDrops(True)
        self.vad = self._load_vad()
        self.pipeline = LivePipeline(vad=self.vad)
        self.capture: LiveCapture | None = None
        self.playback: FilePlayback | None = None
        self.recording: RecordingInfo | None = None
        self.scan_job: ScanJob | None = None
        self.preview_job: PreviewJob | None = None
        self.last_scan: FileScan | None = None
        self.display_latencies: deque[float] = deque(maxlen=500)  # s from audio arrival to its pixels
        self._apply_theme()
        self._build_widgets()
        self._build_actions()
        self.populate_devices()
        self.display_timer = QtCore.QTimer(self)
        self.display_timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self.display_timer.timeout.connect(self.on_frame)
        self.display_timer.start(FRAME_MS)
        self.status_timer = QtCore.QTimer(self)
        self.status_timer.timeout.connect(self.update_status)
        self.status_timer.start(STATUS_MS)
        self.update_status()

    # ------------------------------------------------------------------ construction
    def _apply_theme(self) -> None:
        style = resources_dir() / "styles" / "dark.qss"
        if style.is_file():
            self.setStyleSheet(style.read_text(encoding="utf-8"))

    def _load_vad(self) -> SileroVad | None:
        try:
            return SileroVad()
        except ModelError as exc:
            self._vad_error = str(exc)
            return None

    def _build_widgets(self) -> None:
        central = QtWidgets.QWidget()
        outer = QtWidgets.QVBoxLayout(central)
        outer.setContentsMargins(8, 8, 8, 4)
        self.message_bar = MessageBar()
        outer.addWidget(self.message_bar)
        splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        left = QtWidgets.QWidget()
        left_layout = QtWidgets.QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.spectrogram_view = SpectrogramView(self.pipeline.spectrogram)
        left_layout.addWidget(self.spectrogram_view, 1)
        meter_row = QtWidgets.QHBoxLayout()
        meter_row.addWidget(QtWidgets.QLabel("Input"))
        self.level_meter = LevelMeter()
        meter_row.addWidget(self.level_meter, 1)
        self.speech_label = QtWidgets.QLabel("silence")
        self.speech_label.setMinimumWidth(90)
        meter_row.addWidget(self.speech_label)
        left_layout.addLayout(meter_row)
        self.timeline = Timeline()
        self.timeline.hide()
        self.timeline.seek_requested.connect(self.seek)
        left_layout.addWidget(self.timeline)
        progress_row = QtWidgets.QHBoxLayout()
        self.progress_bar = QtWidgets.QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.cancel_button = QtWidgets.QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_scan)
        progress_row.addWidget(self.progress_bar, 1)
        progress_row.addWidget(self.cancel_button)
        self.progress_widget = QtWidgets.QWidget()
        self.progress_widget.setLayout(progress_row)
        self.progress_widget.hide()
        left_layout.addWidget(self.progress_widget)
        splitter.addWidget(left)
        self.portrait_panel = PortraitPanel()
        splitter.addWidget(self.portrait_panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        outer.addWidget(splitter, 1)
        self.setCentralWidget(central)
        status = self.statusBar()
        self.provider_status = QtWidgets.QLabel()
        self.audio_status = QtWidgets.QLabel()
        self.speech_status = QtWidgets.QLabel()
        status.addWidget(self.audio_status, 1)
        status.addPermanentWidget(self.speech_status)
        status.addPermanentWidget(self.provider_status)

    def _build_actions(self) -> None:
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        self.listen_action = QtGui.QAction("Listen", self)
        self.listen_action.setCheckable(True)
        self.listen_action.setShortcut(QtGui.QKeySequence("Ctrl+L"))
        self.listen_action.setToolTip("Listen to the selected microphone (Ctrl+L)")
        self.listen_action.triggered.connect(self.toggle_listening)
        self.open_action = QtGui.QAction("Open…", self)
        self.open_action.setShortcut(QtGui.QKeySequence.StandardKey.Open)
        self.open_action.setToolTip("Open a recording (Ctrl+O), or drop a file on the window")
        self.open_action.triggered.connect(self.choose_file)
        self.play_action = QtGui.QAction("Play", self)
        self.play_action.setCheckable(True)
        self.play_action.setShortcut(QtGui.QKeySequence("Ctrl+P"))
        self.play_action.setToolTip("Analyse the recording as if live, from the current position (Ctrl+P)")
        self.play_action.triggered.connect(self.toggle_playback)
        self.analyse_action = QtGui.QAction("Analyse all", self)
        self.analyse_action.setShortcut(QtGui.QKeySequence("Ctrl+R"))
        self.analyse_action.setToolTip("Fast analysis of the whole recording or the selection (Ctrl+R)")
        self.analyse_action.triggered.connect(self.start_scan)
        self.device_combo = QtWidgets.QComboBox()
        self.device_combo.setMinimumWidth(240)
        self.device_combo.setToolTip("Input device (remembered between runs)")
        self.device_combo.currentIndexChanged.connect(self._device_chosen)
        refresh_action = QtGui.QAction("↻", self)
        refresh_action.setToolTip("Look for input devices again")
        refresh_action.triggered.connect(lambda: self.populate_devices(rescan=True))
        self.floor_spin = QtWidgets.QSpinBox()
        self.ceiling_spin = QtWidgets.QSpinBox()
        for spin, key, default in ((self.floor_spin, SETTINGS_FLOOR, -90), (self.ceiling_spin, SETTINGS_CEILING, -10)):
            spin.setRange(-140, 20)
            spin.setSuffix(" dB")
            spin.setValue(int(str(self.settings.value(key, default))))
            spin.valueChanged.connect(self._range_changed)
        self.floor_spin.setToolTip("Colour scale: darkest level")
        self.ceiling_spin.setToolTip("Colour scale: brightest level")
        self._range_changed()
        for action in (self.listen_action, self.open_action, self.play_action, self.analyse_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addWidget(QtWidgets.QLabel(" Microphone "))
        toolbar.addWidget(self.device_combo)
        toolbar.addAction(refresh_action)
        toolbar.addSeparator()
        toolbar.addWidget(QtWidgets.QLabel(" Range "))
        toolbar.addWidget(self.floor_spin)
        toolbar.addWidget(QtWidgets.QLabel("to"))
        toolbar.addWidget(self.ceiling_spin)
        quit_action = QtGui.QAction("Quit", self)
        quit_action.setShortcut(QtGui.QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        fullscreen_action = QtGui.QAction("Full screen", self)
        fullscreen_action.setShortcut(QtGui.QKeySequence("F11"))
        fullscreen_action.triggered.connect(self._toggle_fullscreen)
        self.addActions([quit_action, fullscreen_action])
        self.play_action.setEnabled(False)
        self.analyse_action.setEnabled(False)

    # ------------------------------------------------------------------ devices
    def populate_devices(self, rescan: bool = False) -> None:
        if rescan:
            self.stop_listening()
            refresh()
        remembered = str(self.settings.value(SETTINGS_DEVICE, ""))
        self.devices: list[InputDevice] = list_input_devices()
        self.device_combo.blockSignals(True)
        self.device_combo.clear()
        for device in self.devices:
            self.device_combo.addItem(device.label, device.index)
        names = [d.name for d in self.devices]
        default = next((i for i, d in enumerate(self.devices) if d.is_default), 0)
        self.device_combo.setCurrentIndex(names.index(remembered) if remembered in names else default)
        self.device_combo.blockSignals(False)
        if not self.devices:
            self.device_combo.addItem("no input device found")
            self.device_combo.setEnabled(False)
        else:
            self.device_combo.setEnabled(True)

    def selected_device(self) -> InputDevice | None:
        index = self.device_combo.currentIndex()
        return self.devices[index] if 0 <= index < len(self.devices) else None

    def _device_chosen(self) -> None:
        device = self.selected_device()
        if device is not None:
            self.settings.setValue(SETTINGS_DEVICE, device.name)
        if self.capture is not None:  # switch devices while listening
            self.stop_listening()
            self.start_listening()

    # ------------------------------------------------------------------ listening
    def toggle_listening(self) -> None:
        if self.capture is None:
            self.start_listening()
        else:
            self.stop_listening()

    def start_listening(self) -> bool:
        if self.vad is None:
            self.message_bar.show_message(self._vad_error)
            self.listen_action.setChecked(False)
            return False
        self.stop_playback()
        device = self.selected_device()
        capture = LiveCapture(device)
        try:
            capture.start()
        except CaptureError as exc:
            self.listen_action.setChecked(False)
            self.message_bar.show_message(str(exc), action_text="Try again", action=self._reconnect)
            return False
        self.message_bar.hide()
        self.pipeline.reset()
        self.capture = capture
        self.listen_action.setChecked(True)
        self.listen_action.setText("Stop")
        self.spectrogram_view.set_time_origin_label("time (s, 0 = now)")
        return True

    def stop_listening(self) -> None:
        if self.capture is not None:
            self.capture.stop()
            self.capture = None
        self.listen_action.setChecked(False)
        self.listen_action.setText("Listen")

    def _reconnect(self) -> None:
        self.populate_devices(rescan=True)
        self.start_listening()

    # ------------------------------------------------------------------ recordings
    def choose_file(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Open a recording", "", AUDIO_FILTER)
        if path:
            self.open_file(path)

    def open_file(self, path: str) -> bool:
        try:
            info = probe(path)
        except AudioFileError as exc:
            self.message_bar.show_message(str(exc))
            return False
        self.stop_listening()
        self.stop_playback()
        self.cancel_scan()
        self.recording = info
        self.last_scan = None
        self.timeline.set_recording(info.duration_s)
        self.timeline.show()
        self.play_action.setEnabled(True)
        self.analyse_action.setEnabled(True)
        self.pipeline.reset()
        self.spectrogram_view.refresh(force=True)
        self.show_preview(0.0)
        self.setWindowTitle(f"s2f-desktop — {info.path.name}")
        self.message_bar.show_message(
            f"Opened {info.path.name}: {info.duration_s:.1f} s, {info.sample_rate} Hz, {info.channels} ch "
            f"({info.format}). Play analyses it as if live; Analyse all scans it fast.",
            kind="info",
        )
        return True

    def toggle_playback(self) -> None:
        if self.playback is None:
            self.start_playback()
        else:
            self.stop_playback()

    def start_playback(self, from_s: float | None = None, speed: float = 1.0) -> bool:
        if self.recording is None or self.vad is None:
            return False
        self.stop_listening()
        self.stop_playback()
        start = self.timeline.position_s if from_s is None else from_s
        if start >= self.recording.duration_s - 0.05:
            start = 0.0
        try:
            playback = FilePlayback(str(self.recording.path), speed=speed, start_s=start)
        except AudioFileError as exc:
            self.message_bar.show_message(str(exc))
            return False
        self.pipeline.reset()
        playback.start()
        self.playback = playback
        self.play_action.setChecked(True)
        self.play_action.setText("Pause")
        self.spectrogram_view.set_time_origin_label("time (s, 0 = play position)")
        return True

    def stop_playback(self) -> None:
        if self.playback is not None:
            self.playback.stop()
            self.timeline.set_position(self.playback.position_s)
            self.playback = None
        self.play_action.setChecked(False)
        self.play_action.setText("Play")

    def seek(self, seconds: float) -> None:
        self.timeline.set_position(seconds)
        if self.playback is not None:
            self.start_playback(from_s=seconds, speed=self.playback.speed)
        else:
            self.show_preview(seconds)

    def show_preview(self, start_s: float) -> None:
        """Draw the stretch of the recording starting at start_s (computed off the UI thread)."""
        if self.recording is None or self.vad is None:
            return
        self.preview_job = PreviewJob(
            str(self.recording.path), start_s, self.vad, self.floor_spin.value(), self.ceiling_spin.value()
        )

    def _finish_preview(self, job: PreviewJob) -> None:
        self.preview_job = None
        if job.error:
            self.message_bar.show_message(job.error)
        elif job.result is not None and self.playback is None and self.capture is None:
            self.pipeline.spectrogram.copy_from(job.result)
            self.spectrogram_view.refresh(force=True)
            end = job.start_s + job.result.history_s
            self.spectrogram_view.set_time_origin_label(f"time (s, 0 = {end:.1f} s into the recording)")

    # ------------------------------------------------------------------ fast analysis
    def start_scan(self) -> None:
        if self.recording is None or self.vad is None:
            return
        self.cancel_scan()
        selection = self.timeline.selection
        start, end = selection if selection else (0.0, None)
        # A separate VAD session: the live one stays free for the display thread.
        self.scan_job = ScanJob(str(self.recording.path), SileroVad(), start, end)
        self.progress_bar.setValue(0)
        self.progress_widget.show()
        self.analyse_action.setEnabled(False)

    def cancel_scan(self) -> None:
        if self.scan_job is not None:
            self.scan_job.cancel()

    def _finish_scan(self, job: ScanJob) -> None:
        self.scan_job = None
        self.progress_widget.hide()
        self.analyse_action.setEnabled(True)
        if job.error:
            self.message_bar.show_message(job.error)
        elif job.cancelled:
            self.message_bar.show_message("Analysis cancelled. Nothing was changed.", kind="info")
        elif job.result is not None:
            self.last_scan = job.result
            self.timeline.set_speech(job.result.speech_segments)
            self.message_bar.show_message(self._scan_summary(job.result), kind="info")

    @staticmethod
    def _scan_summary(scan: FileScan) -> str:
        text = f"Found {scan.speech_seconds:.1f} s of speech in {len(scan.speech_segments)} segments."
        if not scan.speech_segments:
            text = "No speech found in this recording (silence or non-speech sound only)."
        if scan.clipped_samples:
            text += f" Warning: {scan.clipped_samples} samples are clipped (the recording was too loud)."
        return text

    # ------------------------------------------------------------------ the frame loop
    def active_source(self) -> LiveCapture | FilePlayback | None:
        return self.capture or self.playback

    def on_frame(self) -> None:
        source = self.active_source()
        if source is not None:
            result = self.pipeline.poll(source)
            self.level_meter.show_level(result.level.peak_db, result.level.clipped_samples > 0)
            self.speech_label.setText("● speech" if result.speaking else "silence")
            drawn = self.spectrogram_view.refresh()
            if drawn and self.capture is not None and result.new_samples:
                self.display_latencies.append(time.monotonic() - self.capture.newest_read_arrival)
        if self.capture is not None and self.capture.failed:
            self._device_failed()
        if self.playback is not None:
            self.timeline.set_position(self.playback.position_s)
            if self.playback.error:
                self.message_bar.show_message(self.playback.error)
                self.stop_playback()
            elif self.playback.done:
                self.stop_playback()
        if self.preview_job is not None and self.preview_job.done:
            self._finish_preview(self.preview_job)
        if self.scan_job is not None:
            self.progress_bar.setValue(int(self.scan_job.progress * 1000))
            if self.scan_job.done:
                self._finish_scan(self.scan_job)

    def _device_failed(self) -> None:
        assert self.capture is not None
        message = self.capture.status.error or "The input device failed."
        seconds = self.pipeline.stats.seconds_total
        self.stop_listening()
        self.message_bar.show_message(
            f"{message} Listening stopped; the {seconds:.1f} s captured so far are kept on screen.",
            action_text="Reconnect",
            action=self._reconnect,
        )

    def update_status(self) -> None:
        provider = provider_label(self.vad.provider) if self.vad else "no model"
        reason = cuda_unavailable_reason()
        self.provider_status.setText(f"Inference: {provider}" + (f" ({reason})" if reason and provider == "CPU" else ""))
        stats = self.pipeline.stats
        self.speech_status.setText(f"Speech {stats.speech_seconds:.1f} s of {stats.seconds_total:.1f} s")
        if self.capture is not None:
            s = self.capture.status
            self.audio_status.setText(
                f"Listening: {s.device_name} · {s.native_rate:.0f} Hz · {s.channels} ch · "
                f"overflows {s.overflows} · lost {s.frames_lost / max(1.0, s.native_rate):.2f} s"
            )
        elif self.playback is not None:
            self.audio_status.setText(f"Playing {self.playback.info.path.name} at {self.playback.speed:g}x")
        elif self.recording is not None:
            self.audio_status.setText(f"Recording: {self.recording.path.name}")
        else:
            self.audio_status.setText("Idle — press Listen (Ctrl+L) or open a recording (Ctrl+O)")

    # ------------------------------------------------------------------ window behaviour
    def _range_changed(self) -> None:
        floor, ceiling = self.floor_spin.value(), self.ceiling_spin.value()
        if ceiling <= floor:
            return
        self.pipeline.spectrogram.set_range(floor, ceiling)
        self.settings.setValue(SETTINGS_FLOOR, floor)
        self.settings.setValue(SETTINGS_CEILING, ceiling)

    def _toggle_fullscreen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    def dragEnterEvent(self, event: QtGui.QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QtGui.QDropEvent) -> None:  # noqa: N802
        urls = [u for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.open_file(urls[0].toLocalFile())

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802
        self.stop_listening()
        self.stop_playback()
        self.cancel_scan()
        self.display_timer.stop()
        self.status_timer.stop()
        super().closeEvent(event)

    def save_screenshot(self, path: str | Path) -> None:
        self.grab().save(str(path))
