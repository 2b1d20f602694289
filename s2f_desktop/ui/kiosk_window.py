"""The exhibition kiosk: full screen, dark, a large portrait and spectrogram, few words readable from 3 m.

Three screens: ATTRACT (an invitation to speak and a short consent notice), VISIT (the portrait building while the
visitor talks, seconds of speech and a certainty bar) and UNAVAILABLE (a calm "microphone is taking a break"
screen while the device is retried every few seconds). After `silence_timeout_s` of silence the visit ends: the
portrait worker, the pipeline and the spectrogram are reset and the attract screen returns (pipeline/kiosk_session.py).

It saves nothing: no QSettings, no screenshots, no files, no audio in logs. One display timer drains the microphone
through the pipeline (as in the main window); a slower one refreshes the words. The hidden operator exit is the
configured key chord (default Ctrl+Alt+Shift+Q); closing the window any other way is refused.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Protocol

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from s2f_desktop.audio.capture import CaptureError, LiveCapture
from s2f_desktop.audio.devices import find_device, refresh
from s2f_desktop.inference.vad import SAMPLE_RATE
from s2f_desktop.kiosk_config import KioskConfig, load_texts
from s2f_desktop.pipeline.kiosk_session import ATTRACT, VISIT, KioskSession
from s2f_desktop.pipeline.live import LivePipeline
from s2f_desktop.pipeline.portrait_worker import PortraitSnapshot, PortraitWorker, certainty
from s2f_desktop.pipeline.spectrogram import SpectrogramModel
from s2f_desktop.portrait.latent import RACES
from s2f_desktop.portrait.settings import PortraitSettings
from s2f_desktop.ui.portrait_panel import qimage_from_rgb
from s2f_desktop.ui.spectrogram_view import SpectrogramView

FRAME_MS = 30
TEXT_MS = 250
UNAVAILABLE = "unavailable"
OUT_OF_ORDER = "out_of_order"
CERTAINTY_STEPS = (0.2, 0.4, 0.6)  # certainty() thresholds between the four words of "certainty_levels"

STYLE = """
KioskWindow, QStackedWidget, QWidget#kioskPage { background: #0b0c0f; }
QLabel { background: transparent; color: #eef0f3; }
QLabel#kioskHeading { color: #ffd27a; }
QLabel#kioskSmall { color: #b9bec7; }
QLabel#kioskMuted, QLabel#kioskPortrait { color: #9aa3ad; }
QFrame#kioskConsent { background: #15181d; border: 2px solid #2b3038; border-radius: 16px; }
"""
# label role -> (size in units, bold); fonts are set directly (not in the style sheet) so layouts see new heights
FONT_ROLES = {
    "kioskTitle": (2.0, True),
    "kioskBig": (1.9, True),
    "kioskBody": (1.05, False),
    "kioskHeading": (1.05, True),
    "kioskSmall": (0.8, False),
    "kioskMuted": (2.0, False),
    "kioskPortrait": (1.05, False),
}


class KioskSource(Protocol):
    """What the kiosk listens to: a LiveCapture, or (s2f soak --ui) a looping recording."""

    @property
    def failed(self) -> bool: ...

    def read_new(self) -> np.ndarray: ...

    def stop(self) -> None: ...


class CertaintyBar(QtWidgets.QWidget):
    """Four segments that fill as the estimate becomes surer (0..1)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.value = 0.0
        self.setMinimumHeight(24)

    def set_value(self, value: float) -> None:
        value = float(np.clip(value, 0.0, 1.0))
        if abs(value - self.value) > 1e-3:
            self.value = value
            self.update()

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802
        painter = QtGui.QPainter(self)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        rect = QtCore.QRectF(self.rect()).adjusted(2, 2, -2, -2)
        gap = rect.height() * 0.3
        n = len(CERTAINTY_STEPS) + 1
        width = (rect.width() - gap * (n - 1)) / n
        level = certainty_level(self.value)
        for i in range(n):
            segment = QtCore.QRectF(rect.left() + i * (width + gap), rect.top(), width, rect.height())
            painter.setPen(QtCore.Qt.PenStyle.NoPen)
            painter.setBrush(QtGui.QColor("#ffd27a" if i <= level else "#2b3038"))
            painter.drawRoundedRect(segment, rect.height() / 3, rect.height() / 3)
        painter.end()


def certainty_level(value: float) -> int:
    """0..3: which of the four certainty words applies."""
    return int(np.searchsorted(np.array(CERTAINTY_STEPS), value, side="right"))


def _label(text: str, name: str, wrap: bool = True, align: QtCore.Qt.AlignmentFlag | None = None) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setAlignment(align or QtCore.Qt.AlignmentFlag.AlignCenter)
    label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Preferred)
    return label


def _page() -> QtWidgets.QWidget:
    page = QtWidgets.QWidget()
    page.setObjectName("kioskPage")
    return page


class KioskWindow(QtWidgets.QWidget):
    def __init__(
        self, config: KioskConfig | None = None, source_factory: Callable[[], KioskSource] | None = None
    ) -> None:
        super().__init__()
        self.config = config or KioskConfig()
        self.source_factory = source_factory  # None: the configured microphone
        self.texts = load_texts(self.config.language)
        self.setWindowTitle("s2f-desktop kiosk")
        self.setObjectName("kioskWindow")
        self.capture: KioskSource | None = None
        self.stream_s = 0.0  # seconds of audio heard: the session's clock (a stalled device stops it; see below)
        self.visit_wall: float | None = None  # time.monotonic() when this visit began (to match snapshots)
        self.device_error: str | None = None
        self.model_error: str | None = None
        self.recoveries = 0
        self._exit_allowed = False
        self._shown_sequence = -1
        self._portrait_pixmap: QtGui.QPixmap | None = None
        self.pipeline: LivePipeline | None = None  # set once the models load
        self.worker: PortraitWorker | None = None
        self.session: KioskSession | None = None
        self._load_models()
        self.setStyleSheet(STYLE)
        self._build()
        self.shortcut = QtGui.QShortcut(QtGui.QKeySequence(self.config.exit_chord), self)
        self.shortcut.setContext(QtCore.Qt.ShortcutContext.ApplicationShortcut)
        self.shortcut.activated.connect(self.operator_exit)
        if self.config.hide_cursor:
            self.setCursor(QtCore.Qt.CursorShape.BlankCursor)
        self.frame_timer = QtCore.QTimer(self)
        self.frame_timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self.frame_timer.timeout.connect(self.on_frame)
        self.text_timer = QtCore.QTimer(self)
        self.text_timer.timeout.connect(self.update_texts)
        self.retry_timer = QtCore.QTimer(self)
        self.retry_timer.setInterval(int(self.config.retry_interval_s * 1000))
        self.retry_timer.timeout.connect(self.retry_device)
        self.state = ATTRACT
        if self.session is None:
            self._show_state(OUT_OF_ORDER)
        elif self.open_device():
            self._show_state(ATTRACT)
        else:
            self._enter_unavailable()
        self.frame_timer.start(FRAME_MS)
        self.text_timer.start(TEXT_MS)
        self._apply_sizes()

    # ------------------------------------------------------------------ construction
    def _load_models(self) -> None:
        try:
            from s2f_desktop.inference.vad import SileroVad
            from s2f_desktop.portrait.engine import PortraitEngine

            pipeline = LivePipeline(vad=SileroVad())
            settings = PortraitSettings(race_prior=self.config.race_prior)
            worker = PortraitWorker(PortraitEngine(), settings)
        except Exception as exc:  # noqa: BLE001 - a missing or broken model: show "out of order", say why on stderr
            self.model_error = str(exc)
            print(f"s2f-desktop kiosk: the models could not be loaded: {exc}", file=sys.stderr)
            return
        worker.start()
        self.pipeline = pipeline
        self.worker = worker
        self.session = KioskSession(pipeline, worker, self.config.silence_timeout_s, self.config.max_visit_s)

    def _build(self) -> None:
        t = self.texts
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(48, 36, 48, 24)
        outer.setSpacing(24)
        self.pages = QtWidgets.QStackedWidget()
        # Heights follow the 7:3 stretch, never the labels' size hints (word-wrapped labels over-ask for height).
        self.pages.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Ignored)
        outer.addWidget(self.pages, 7)

        # attract
        self.attract_page = _page()
        layout = QtWidgets.QVBoxLayout(self.attract_page)
        layout.addStretch(1)
        self.attract_title = _label(str(t["attract_title"]), "kioskTitle")
        layout.addWidget(self.attract_title)
        layout.addWidget(_label(str(t["attract_invite"]), "kioskBody"))
        layout.addSpacing(28)
        consent = QtWidgets.QFrame()
        consent.setObjectName("kioskConsent")
        consent_layout = QtWidgets.QVBoxLayout(consent)
        consent_layout.setContentsMargins(36, 24, 36, 24)
        consent_layout.addWidget(_label(str(t["consent_title"]), "kioskHeading", align=QtCore.Qt.AlignmentFlag.AlignLeft))
        self.consent_labels = []
        points = t["consent_points"]
        assert isinstance(points, list)
        for point in points:
            label = _label(f"•  {point}", "kioskBody", align=QtCore.Qt.AlignmentFlag.AlignLeft)
            consent_layout.addWidget(label)
            self.consent_labels.append(label)
        row = QtWidgets.QHBoxLayout()
        row.addStretch(1)
        row.addWidget(consent, 8)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addSpacing(16)
        self.prior_label = _label(self._prior_text(), "kioskSmall")
        layout.addWidget(self.prior_label)
        layout.addStretch(1)
        self.pages.addWidget(self.attract_page)

        # visit
        self.visit_page = _page()
        visit = QtWidgets.QHBoxLayout(self.visit_page)
        visit.setSpacing(48)
        self.portrait_label = _label(str(t["listening"]), "kioskPortrait")
        self.portrait_label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Ignored)
        visit.addWidget(self.portrait_label, 5)
        side = QtWidgets.QVBoxLayout()
        side.setSpacing(8)  # (a nested layout would inherit the row's 48 px)
        side.addStretch(1)
        left = QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignVCenter
        self.seconds_label = _label("", "kioskBig", align=left)
        side.addWidget(self.seconds_label)
        side.addSpacing(24)
        self.certainty_title = _label(str(t["certainty"]), "kioskBody", align=left)
        side.addWidget(self.certainty_title)
        self.certainty_bar = CertaintyBar()
        side.addWidget(self.certainty_bar)
        self.certainty_word = _label("", "kioskBody", align=left)
        side.addWidget(self.certainty_word)
        side.addSpacing(36)
        self.caption_label = _label(str(t["portrait_caption"]), "kioskBody", align=left)
        side.addWidget(self.caption_label)
        side.addSpacing(16)
        self.hint_label = _label(
            str(t["restart_hint"]).format(timeout=f"{self.config.silence_timeout_s:g}"), "kioskSmall", align=left
        )
        side.addWidget(self.hint_label)
        side.addStretch(1)
        visit.addLayout(side, 4)
        self.pages.addWidget(self.visit_page)

        # unavailable / out of order
        self.unavailable_page = _page()
        layout = QtWidgets.QVBoxLayout(self.unavailable_page)
        layout.addStretch(1)
        self.unavailable_title = _label(str(t["unavailable_title"]), "kioskMuted")
        layout.addWidget(self.unavailable_title)
        layout.addSpacing(24)
        self.unavailable_body = _label(str(t["unavailable_body"]), "kioskBody")
        layout.addWidget(self.unavailable_body)
        layout.addStretch(1)
        self.pages.addWidget(self.unavailable_page)

        # the spectrogram, under every screen but the unavailable one
        model = self.pipeline.spectrogram if self.pipeline is not None else SpectrogramModel()
        self.spectrogram_view = SpectrogramView(model)
        self.spectrogram_view.setBackground("#0b0c0f")
        self.spectrogram_view.plot.hideAxis("left")
        self.spectrogram_view.plot.hideAxis("bottom")
        self.spectrogram_view.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Ignored
        )
        outer.addWidget(self.spectrogram_view, 3)

    def _prior_text(self) -> str:
        if self.config.prior_is_balanced:
            return str(self.texts["prior_balanced"])
        parts = [f"{name} {w:.0%}" for name, w in zip(RACES, self.config.race_prior, strict=True) if w > 0.005]
        return str(self.texts["prior_custom"]).format(prior=", ".join(parts))

    def _apply_sizes(self) -> None:
        unit = max(12, min(self.height() / 34, self.width() / 56))
        for label in self.findChildren(QtWidgets.QLabel):
            role = FONT_ROLES.get(label.objectName())
            if role is not None:
                font = QtGui.QFont(label.font())
                font.setPixelSize(max(8, int(unit * role[0])))
                font.setBold(role[1])
                label.setFont(font)
        self.certainty_bar.setFixedHeight(int(unit * 1.1))
        self.spectrogram_view.setFixedHeight(int(self.height() * 0.24))

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._apply_sizes()
        self._show_pixmap()

    # ------------------------------------------------------------------ device
    def open_device(self) -> bool:
        """Open the configured (or the default) microphone; False (and device_error) when it is unavailable."""
        if self.source_factory is not None:
            self.capture = self.source_factory()
            return True
        device = None
        if self.config.device:
            device = find_device(self.config.device)
            if device is None:
                self.device_error = f"input device '{self.config.device}' not found"
                return False
        capture = LiveCapture(device)
        try:
            capture.start()
        except CaptureError as exc:
            self.device_error = str(exc)
            return False
        self.capture = capture
        self.device_error = None
        return True

    def close_device(self) -> None:
        if self.capture is not None:
            self.capture.stop()
            self.capture = None

    def _enter_unavailable(self) -> None:
        self.close_device()
        if self.session is not None:
            self.session.end_visit()
        self._show_state(UNAVAILABLE)
        if not self.retry_timer.isActive():
            self.retry_timer.start()

    def retry_device(self) -> None:
        if self.state != UNAVAILABLE:
            self.retry_timer.stop()
            return
        refresh()  # PortAudio only sees devices (and a restarted sound server) after re-initialising
        if self.open_device():
            self.retry_timer.stop()
            self.recoveries += 1
            assert self.pipeline is not None
            self.pipeline.reset()
            self._show_state(ATTRACT)

    # ------------------------------------------------------------------ the frame loop
    def on_frame(self) -> None:
        if self.capture is None or self.session is None or self.pipeline is None:
            return
        try:
            result = self.pipeline.poll(self.capture)
        except Exception as exc:  # noqa: BLE001 - unattended: any audio/inference fault -> calm screen, retry
            print(f"s2f-desktop kiosk: listening failed, retrying: {exc}", file=sys.stderr)
            self.device_error = str(exc)
            self._enter_unavailable()
            return
        # The silence timeout runs on audio time: with a microphone it is the wall clock; a device that stops
        # delivering is caught by the capture's stall detection (-> unavailable screen), never left mid-visit.
        self.stream_s += result.new_samples / SAMPLE_RATE
        change = self.session.observe(result, self.stream_s)
        self.spectrogram_view.refresh()
        if self.capture.failed:
            status = getattr(self.capture, "status", None)
            self.device_error = getattr(status, "error", None) or "the audio source failed"
            self._enter_unavailable()
            return
        if change == VISIT:
            self.visit_wall = time.monotonic()
        if change is not None:
            self._show_state(change)
        if self.state == VISIT:
            self._update_portrait()

    def _current_snapshot(self) -> PortraitSnapshot | None:
        """The worker's snapshot if it belongs to this visit (never a previous visitor's face)."""
        if self.worker is None or self.visit_wall is None or self.state != VISIT:
            return None
        snapshot = self.worker.snapshot
        if snapshot.first_portrait_time is None or snapshot.first_portrait_time < self.visit_wall:
            return None
        return snapshot

    def _update_portrait(self) -> None:
        snapshot = self._current_snapshot()
        if snapshot is None or snapshot.image is None or snapshot.sequence == self._shown_sequence:
            return
        self._shown_sequence = snapshot.sequence
        self._portrait_pixmap = QtGui.QPixmap.fromImage(qimage_from_rgb(snapshot.image))
        self._show_pixmap()

    def _show_pixmap(self) -> None:
        if self._portrait_pixmap is None:
            self.portrait_label.setPixmap(QtGui.QPixmap())
            self.portrait_label.setText(str(self.texts["listening"]))
            return
        size = self.portrait_label.size()
        side = max(16, min(size.width(), size.height()))
        self.portrait_label.setPixmap(
            self._portrait_pixmap.scaled(
                side, side, QtCore.Qt.AspectRatioMode.KeepAspectRatio, QtCore.Qt.TransformationMode.SmoothTransformation
            )
        )

    @property
    def showing_portrait(self) -> bool:
        return self.state == VISIT and self._portrait_pixmap is not None

    def _show_state(self, state: str) -> None:
        self.state = state
        if state == ATTRACT:
            self.pages.setCurrentWidget(self.attract_page)
        elif state == VISIT:
            self.pages.setCurrentWidget(self.visit_page)
        else:
            if state == OUT_OF_ORDER:
                self.unavailable_title.setText(str(self.texts["out_of_order"]))
                self.unavailable_body.setText("")
            self.pages.setCurrentWidget(self.unavailable_page)
        if state != VISIT:
            self._portrait_pixmap = None
            self._shown_sequence = -1
            self._show_pixmap()
        self.spectrogram_view.setVisible(state in (ATTRACT, VISIT))
        self.spectrogram_view.refresh(force=True)
        self.update_texts()

    def update_texts(self) -> None:
        if self.state != VISIT or self.session is None:
            return
        assert self.pipeline is not None
        seconds = int(self.pipeline.stats.speech_seconds)
        self.seconds_label.setText(str(self.texts["speech_seconds"]).format(seconds=seconds))
        snapshot = self._current_snapshot()
        value = certainty(snapshot.attributes.joint) if snapshot and snapshot.attributes is not None else 0.0
        self.certainty_bar.set_value(value)
        levels = self.texts["certainty_levels"]
        assert isinstance(levels, list)
        self.certainty_word.setText(str(levels[certainty_level(value)]) if snapshot is not None else "")

    # ------------------------------------------------------------------ leaving
    def operator_exit(self) -> None:
        """The hidden operator chord: stop everything and close."""
        self._exit_allowed = True
        self.close()

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802
        # The chord also works where the shortcut map does not see it (a window that is not the active one).
        chord = QtGui.QKeySequence(self.config.exit_chord)
        if chord.count() == 1 and QtGui.QKeySequence(event.keyCombination()).matches(chord) == (
            QtGui.QKeySequence.SequenceMatch.ExactMatch
        ):
            self.operator_exit()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802
        if not self._exit_allowed:
            event.ignore()  # visitors cannot close the kiosk; the operator uses the chord
            return
        self.frame_timer.stop()
        self.text_timer.stop()
        self.retry_timer.stop()
        self.close_device()
        if self.worker is not None:
            self.worker.stop()
        super().closeEvent(event)

    def show_kiosk(self) -> None:
        if self.config.fullscreen:
            # Kiosk machines often run X without a window manager, which ignores the full-screen request:
            # cover the screen explicitly, without a frame, as well.
            self.setWindowFlag(QtCore.Qt.WindowType.FramelessWindowHint, True)
            screen = self.screen() or QtWidgets.QApplication.primaryScreen()
            if screen is not None:
                self.setGeometry(screen.geometry())
            self.showFullScreen()
        else:
            self.resize(1280, 800)
            self.show()
