"""The portrait and everything needed to read it honestly: the caption, how much speech it rests on, how sure
it is, the live posterior bars, how the estimates evolved, and which provider ran each stage."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from s2f_desktop.pipeline.portrait_worker import PortraitSnapshot, certainty
from s2f_desktop.portrait.latent import AGE_BINS
from s2f_desktop.portrait.settings import PortraitSettings
from s2f_desktop.ui.attribute_bars import AgeBars, GenderBar

CAPTION = (
    "A statistical average of many real faces whose voices sound similar — not a picture of the speaker."
)
WAITING_TEXT = "Speak, or play a recording: a face appears here after about half a second of speech."


def prior_caption(settings: PortraitSettings) -> str:
    return f"Skin tone and ethnicity are not read from the voice: population mix {settings.prior_description()}."


def qimage_from_rgb(image: np.ndarray) -> QtGui.QImage:
    data = np.ascontiguousarray(image, dtype=np.uint8)
    height, width = data.shape[:2]
    return QtGui.QImage(data.data, width, height, 3 * width, QtGui.QImage.Format.Format_RGB888).copy()


class PortraitImage(QtWidgets.QLabel):
    """Shows the newest portrait scaled to fit, keeping its aspect; a waiting text before the first one."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(240, 240)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Expanding)
        self.setObjectName("portraitImage")
        self.setWordWrap(True)
        self._image: QtGui.QImage | None = None
        self.clear_portrait()

    def clear_portrait(self, text: str = WAITING_TEXT) -> None:
        self._image = None
        self.setPixmap(QtGui.QPixmap())
        self.setText(text)

    def set_portrait(self, image: np.ndarray) -> None:
        self._image = qimage_from_rgb(image)
        self._rescale()

    def has_portrait(self) -> bool:
        return self._image is not None

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._image is None:
            return
        side = max(64, min(self.width(), self.height()))
        scaled = self._image.scaled(
            side, side, QtCore.Qt.AspectRatioMode.KeepAspectRatio, QtCore.Qt.TransformationMode.SmoothTransformation
        )
        self.setPixmap(QtGui.QPixmap.fromImage(scaled))


class PortraitPanel(QtWidgets.QFrame):
    reset_requested = QtCore.Signal()
    pause_toggled = QtCore.Signal(bool)
    about_requested = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("portraitPanel")
        self.setMinimumWidth(360)
        layout = QtWidgets.QVBoxLayout(self)
        self.image = PortraitImage()
        layout.addWidget(self.image, 3)
        self.caption = QtWidgets.QLabel(CAPTION)
        self.caption.setObjectName("portraitCaption")
        self.caption.setWordWrap(True)
        self.caption.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.caption)
        self.prior_label = QtWidgets.QLabel(prior_caption(PortraitSettings()))
        self.prior_label.setObjectName("portraitCaption")
        self.prior_label.setWordWrap(True)
        self.prior_label.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.prior_label)
        self.summary = QtWidgets.QLabel("No speech yet.")
        self.summary.setObjectName("portraitSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.gender_bar = GenderBar()
        layout.addWidget(self.gender_bar)
        self.age_bars = AgeBars(AGE_BINS)
        layout.addWidget(self.age_bars)
        self.history_plot = pg.PlotWidget(background="#1b1e23")
        self.history_plot.setMinimumHeight(110)
        self.history_plot.setMaximumHeight(160)
        self.history_plot.setMouseEnabled(x=False, y=False)
        self.history_plot.setMenuEnabled(False)
        self.history_plot.hideButtons()
        self.history_plot.setYRange(0, 100, padding=0.02)
        self.history_plot.setLabel("bottom", "seconds of speech")
        self.history_plot.addLegend(offset=(-5, -5), labelTextSize="8pt")  # bottom right: curves sit higher
        self.p_male_curve = self.history_plot.plot(pen=pg.mkPen("#4f8fe8", width=2), name="P(male) %")
        self.age_curve = self.history_plot.plot(pen=pg.mkPen("#e3a33b", width=2), name="estimated age (years)")
        layout.addWidget(self.history_plot)
        self.timings = QtWidgets.QLabel("")
        self.timings.setObjectName("portraitTimings")
        layout.addWidget(self.timings)
        buttons = QtWidgets.QHBoxLayout()
        self.reset_button = QtWidgets.QPushButton("Reset")
        self.reset_button.setToolTip("Forget the evidence gathered so far (Ctrl+Backspace)")
        self.pause_button = QtWidgets.QPushButton("Pause evidence")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip("Keep listening but stop adding speech to the estimate")
        self.about_button = QtWidgets.QPushButton("About these models…")
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.pause_button)
        buttons.addStretch(1)
        buttons.addWidget(self.about_button)
        layout.addLayout(buttons)
        self.reset_button.clicked.connect(self.reset_requested)
        self.pause_button.toggled.connect(self.pause_toggled)
        self.about_button.clicked.connect(self.about_requested)
        self._history_length = -1

    def set_settings(self, settings: PortraitSettings) -> None:
        self.prior_label.setText(prior_caption(settings))

    def show_snapshot(self, snapshot: PortraitSnapshot, provider: str) -> None:
        if snapshot.image is None:
            self.image.clear_portrait()
        else:
            self.image.set_portrait(snapshot.image)
        attributes = snapshot.attributes
        paused = " · evidence paused" if snapshot.paused else ""
        if attributes is None:
            self.summary.setText(f"Speech used: {snapshot.speech_seconds:.1f} s{paused}")
            self.gender_bar.set_value(None)
            self.age_bars.set_values([])
        else:
            self.summary.setText(
                f"Speech used: {snapshot.speech_seconds:.1f} s · certainty {certainty(attributes.joint):.0%} · "
                f"age ≈ {attributes.age_years:.0f} · child {attributes.p_child:.0%}{paused}"
            )
            self.gender_bar.set_value(attributes.p_male)
            self.age_bars.set_values([attributes.age_bins[label] for label in AGE_BINS])
        if len(snapshot.history) != self._history_length:
            self._history_length = len(snapshot.history)
            seconds = [point.speech_seconds for point in snapshot.history]
            self.p_male_curve.setData(seconds, [100 * point.p_male for point in snapshot.history])
            self.age_curve.setData(seconds, [point.age_years for point in snapshot.history])
        t = snapshot.timings_ms
        stages = " · ".join(f"{name.removesuffix('_ms')} {t[name]:.1f} ms" for name in ("encoder_ms", "attributes_ms", "decoder_ms") if name in t)
        self.timings.setText(f"Inference on {provider}" + (f": {stages}" if stages else ""))
