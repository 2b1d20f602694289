"""The main window: toolbar, message bar, spectrogram with level meter and timeline, portrait and Explore tabs,
status bar.

One display timer (~33 Hz) drains the active source through the pipeline, hands speech to the portrait worker
and shows its newest snapshot; a slower timer refreshes the status text. Long work (fast analysis, comparison)
runs on worker threads with progress and Cancel (ui/jobs.py). Widgets only display and forward intent.
"""

from __future__ import annotations

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
from s2f_desktop.inference.voice_attributes import AttributeEstimate
from s2f_desktop.paths import resources_dir
from s2f_desktop.pipeline.file_scan import FileScan
from s2f_desktop.pipeline.live import LivePipeline
from s2f_desktop.pipeline.portrait_worker import PortraitWorker
from s2f_desktop.pipeline.preview import PreviewJob
from s2f_desktop.portrait.engine import PortraitEngine
from s2f_desktop.portrait.settings import PortraitSettings
from s2f_desktop.report.case_report import CaseReport
from s2f_desktop.ui.about_dialog import AboutModelsDialog
from s2f_desktop.ui.explore_panel import ExplorePanel
from s2f_desktop.ui.jobs import (
    Comparison,
    FileAnalysis,
    Job,
    analyse_recording,
    compare_recordings,
    write_report,
)
from s2f_desktop.ui.level_meter import LevelMeter
from s2f_desktop.ui.message_bar import MessageBar
from s2f_desktop.ui.portrait_panel import PortraitPanel, qimage_from_rgb
from s2f_desktop.ui.spectrogram_view import SpectrogramView
from s2f_desktop.ui.timeline import Timeline

FRAME_MS = 30  # ~33 Hz: smooth scrolling within the CPU budget (painting dominates; see s2f bench)
STATUS_MS = 250
SETTINGS_DEVICE = "audio/device_name"
SETTINGS_FLOOR = "display/floor_db"
SETTINGS_CEILING = "display/ceiling_db"
CLIPPING_WARNING_SAMPLES = 50  # a stray full-scale sample is no reason to alarm anyone
AUDIO_FILTER = "Recordings (*.wav *.flac *.ogg *.opus *.oga *.mp3 *.aiff *.aif);;All files (*)"


def report_estimate(report: CaseReport) -> AttributeEstimate:
    """The voice's attribute estimate inside a case report."""
    return AttributeEstimate(
        p_male=report.p_male,
        age_bins=report.age_bins,
        joint=report.joint,
        age_years=report.age_years,
        speech_seconds=report.speech_seconds,
        p_child=report.p_child,
    )


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
        self.scan_job: Job | None = None
        self.compare_job: Job | None = None
        self.export_job: Job | None = None
        self.last_report: CaseReport | None = None
        self.preview_job: PreviewJob | None = None
        self.last_scan: FileScan | None = None
        self.display_latencies: deque[float] = deque(maxlen=500)  # s from audio arrival to its pixels
        self._apply_theme()
        self.portrait_worker = self._load_portrait()
        self._shown_snapshot = -1
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

    def _load_portrait(self) -> PortraitWorker | None:
        """The voice and face models; without them the app still listens and shows the spectrogram."""
        try:
            worker = PortraitWorker(PortraitEngine())
        except ModelError as exc:
            self._portrait_error = str(exc)
            return None
        worker.start()
        self.pipeline.on_speech = worker.submit_speech
        return worker

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
        self.portrait_panel.reset_requested.connect(self.reset_evidence)
        self.portrait_panel.pause_toggled.connect(self.pause_evidence)
        self.portrait_panel.about_requested.connect(self.show_about)
        self.explore_panel = ExplorePanel()
        self.explore_panel.settings_changed.connect(self.apply_portrait_settings)
        self.explore_panel.compare_requested.connect(self.start_compare)
        self.side_tabs = QtWidgets.QTabWidget()
        self.side_tabs.addTab(self.portrait_panel, "Portrait")
        explore_scroll = QtWidgets.QScrollArea()
        explore_scroll.setWidgetResizable(True)
        explore_scroll.setWidget(self.explore_panel)
        self.side_tabs.addTab(explore_scroll, "Explore")
        splitter.addWidget(self.side_tabs)
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
        self.export_action = QtGui.QAction("Export report…", self)
        self.export_action.setShortcut(QtGui.QKeySequence("Ctrl+E"))
        self.export_action.setToolTip("Save the case report of the last analysis: PDF, JSON sidecar and portrait PNG (Ctrl+E)")
        self.export_action.triggered.connect(self.choose_report_path)
        self.export_action.setEnabled(False)
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
        for action in (self.listen_action, self.open_action, self.play_action, self.analyse_action, self.export_action):
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
        reset_action = QtGui.QAction("Reset evidence", self)
        reset_action.setShortcut(QtGui.QKeySequence("Ctrl+Backspace"))
        reset_action.triggered.connect(self.reset_evidence)
        about_action = QtGui.QAction("About these models", self)
        about_action.setShortcut(QtGui.QKeySequence("F1"))
        about_action.triggered.connect(self.show_about)
        self.addActions([reset_action, about_action])
        quit_action = QtGui.QAction("Quit", self)
        quit_action.setShortcut(QtGui.QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        fullscreen_action = QtGui.QAction("Full screen", self)
        fullscreen_action.setShortcut(QtGui.QKeySequence("F11"))
        fullscreen_action.triggered.connect(self._toggle_fullscreen)
        self.addActions([quit_action, fullscreen_action])
        self._build_menus(reset_action, about_action, quit_action, fullscreen_action)
        self.play_action.setEnabled(False)
        self.analyse_action.setEnabled(False)

    def _build_menus(self, *extra: QtGui.QAction) -> None:
        reset_action, about_action, quit_action, fullscreen_action = extra
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.open_action, self.export_action])
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        audio_menu = bar.addMenu("&Audio")
        audio_menu.addActions([self.listen_action, self.play_action, self.analyse_action])
        audio_menu.addSeparator()
        audio_menu.addAction(reset_action)
        view_menu = bar.addMenu("&View")
        view_menu.addAction(fullscreen_action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(about_action)

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
        self.reset_evidence()
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
        self.last_report = None
        self.export_action.setEnabled(False)
        self.timeline.set_recording(info.duration_s)
        self.timeline.show()
        self.play_action.setEnabled(True)
        self.analyse_action.setEnabled(True)
        self.pipeline.reset()
        self.reset_evidence()
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
        end = None
        selection = self.timeline.selection
        if selection is not None:  # "use selection": only that stretch feeds the portrait
            end = selection[1]
            if not selection[0] <= start < selection[1]:
                start = selection[0]
        elif start >= self.recording.duration_s - 0.05:
            start = 0.0
        try:
            playback = FilePlayback(str(self.recording.path), speed=speed, start_s=start, end_s=end)
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
        self.stop_playback()
        selection = self.timeline.selection
        start, end = selection if selection else (0.0, None)
        self.scan_job = analyse_recording(str(self.recording.path), start, end, self.explore_panel.settings())
        self.progress_bar.setValue(0)
        self.progress_widget.show()
        self.analyse_action.setEnabled(False)

    def cancel_scan(self) -> None:
        if self.scan_job is not None:
            self.scan_job.cancel()

    def _finish_scan(self, job: Job) -> None:
        self.scan_job = None
        self.progress_widget.hide()
        self.analyse_action.setEnabled(True)
        if job.error:
            self.message_bar.show_message(job.error)
        elif job.cancelled:
            self.message_bar.show_message("Analysis cancelled. Nothing was changed.", kind="info")
        elif isinstance(job.result, FileAnalysis):
            self.last_scan = job.result.scan
            self.timeline.set_speech(job.result.scan.speech_segments)
            self.message_bar.show_message(self._scan_summary(job.result.scan), kind="info")
            report = job.result.report
            self.last_report = report
            self.export_action.setEnabled(report is not None)
            if report is not None and self.portrait_worker is not None:
                self.portrait_worker.show_estimate(report_estimate(report), tuple(report.history))

    def choose_report_path(self) -> None:
        if self.last_report is None:
            return
        suggested = f"{Path(self.last_report.input.name).stem}-report.pdf"
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Export case report", suggested, "PDF (*.pdf)")
        if path:
            self.export_report(path)

    def export_report(self, out_pdf: str) -> None:
        if self.last_report is not None and self.export_job is None:
            self.export_job = write_report(self.last_report, out_pdf)

    def _finish_export(self, job: Job) -> None:
        self.export_job = None
        if job.error:
            self.message_bar.show_message(f"The report could not be saved: {job.error}")
        else:
            pdf, sidecar, portrait = job.result
            self.message_bar.show_message(
                f"Report saved: {pdf.name}, with {sidecar.name} and {portrait.name} beside it.", kind="info"
            )

    @staticmethod
    def _scan_summary(scan: FileScan) -> str:
        text = f"Found {scan.speech_seconds:.1f} s of speech in {len(scan.speech_segments)} segments."
        if not scan.speech_segments:
            text = "No speech found in this recording (silence or non-speech sound only)."
        elif scan.speech_seconds < 0.5:
            text += " That is too little speech for a portrait."
        if scan.clipped_samples >= CLIPPING_WARNING_SAMPLES:
            text += f" Warning: {scan.clipped_samples} samples are clipped (the recording was too loud)."
        return text

    # ------------------------------------------------------------------ portrait
    def reset_evidence(self) -> None:
        if self.portrait_worker is not None:
            self.portrait_worker.reset()

    def pause_evidence(self, paused: bool) -> None:
        if self.portrait_worker is not None:
            self.portrait_worker.set_paused(paused)

    def apply_portrait_settings(self, settings: PortraitSettings) -> None:
        self.portrait_panel.set_settings(settings)
        if self.portrait_worker is not None:
            self.portrait_worker.set_settings(settings)

    def show_about(self) -> None:
        AboutModelsDialog(self).show()

    def start_compare(self, path_a: str, path_b: str) -> None:
        if self.portrait_worker is None:
            self.message_bar.show_message(self._portrait_error)
            return
        if self.compare_job is not None:
            self.compare_job.cancel()
        self.explore_panel.compare_status.setText("Analysing both recordings…")
        self.compare_job = compare_recordings(self.portrait_worker.engine, path_a, path_b, self.explore_panel.settings())

    def _finish_compare(self, job: Job) -> None:
        self.compare_job = None
        panel = self.explore_panel
        if job.error:
            panel.compare_status.setText(job.error)
            return
        if not isinstance(job.result, Comparison):
            panel.compare_status.setText("Comparison cancelled.")
            return
        result = job.result
        panel.portrait_a.set_portrait(result.portrait_a)
        panel.portrait_b.set_portrait(result.portrait_b)
        strip = result.morph.transpose(1, 0, 2, 3).reshape(result.morph.shape[1], -1, 3)
        panel.morph_strip.setPixmap(QtGui.QPixmap.fromImage(qimage_from_rgb(strip)))
        panel.compare_status.setText(
            f"A: P(male) {result.a.p_male:.0%}, age {result.a.age_years:.0f} ({result.a.speech_seconds:.0f} s of speech) · "
            f"B: P(male) {result.b.p_male:.0%}, age {result.b.age_years:.0f} ({result.b.speech_seconds:.0f} s). "
            "The strip morphs A into B."
        )

    def _show_portrait(self) -> None:
        worker = self.portrait_worker
        if worker is None:
            return
        if worker.error:
            self.message_bar.show_message(worker.error)
            worker.error = None
        snapshot = worker.snapshot
        if snapshot.sequence != self._shown_snapshot:
            self._shown_snapshot = snapshot.sequence
            self.portrait_panel.show_snapshot(snapshot, provider_label(worker.engine.face.provider))

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
        if self.export_job is not None and self.export_job.done:
            self._finish_export(self.export_job)
        if self.compare_job is not None and self.compare_job.done:
            self._finish_compare(self.compare_job)
        self._show_portrait()

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
        if self.portrait_worker is not None:
            providers = {provider_label(p) for p in self.portrait_worker.engine.providers.values()}
            provider = " + ".join(sorted(providers | {provider}))
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
        if self.portrait_worker is not None:
            self.portrait_worker.stop()
        self.display_timer.stop()
        self.status_timer.stop()
        super().closeEvent(event)

    def save_screenshot(self, path: str | Path) -> None:
        self.grab().save(str(path))
