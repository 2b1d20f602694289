"""Displays a SpectrogramModel: one uint8 ImageItem with a 256-entry colour table and fixed levels.

The model's image holds every column twice; instead of shifting pixels we move the image item so that the
newest column sits at t = 0 and the view (fixed to the last N seconds) shows the right half-window.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from s2f_desktop.pipeline.spectrogram import COLUMNS_PER_SECOND, SpectrogramModel

SPEECH_BAND_ROWS = 6  # height of the speech marker band under the spectrogram, in frequency rows
FREQUENCY_TICKS_HZ = (100, 200, 500, 1000, 2000, 4000, 8000)


def colour_table() -> np.ndarray:
    """A perceptually ordered dark-to-bright 256-entry table (inferno), uint8 RGBA."""
    return pg.colormap.get("inferno").getLookupTable(0.0, 1.0, 256, alpha=True).astype(np.uint8)


class SpectrogramView(pg.GraphicsLayoutWidget):
    def __init__(self, model: SpectrogramModel, parent: object = None) -> None:
        super().__init__(parent=parent)
        self.model = model
        self.frames_drawn = 0
        self._last_drawn_columns = -1
        self.setBackground("#101216")
        self.plot = self.addPlot()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setLabel("bottom", "time", units="s")
        self.plot.setLabel("left", "frequency (Hz)")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(colour_table())
        self.image.setAutoDownsample(False)
        self.speech_band = pg.ImageItem(axisOrder="row-major")
        self.speech_band.setLookupTable(np.array([[30, 32, 38, 255], [80, 220, 140, 255]], dtype=np.uint8))
        self.plot.addItem(self.image)
        self.plot.addItem(self.speech_band)
        rows = model.axis.rows
        self.plot.setYRange(-SPEECH_BAND_ROWS - 1, rows, padding=0)
        self.plot.setXRange(-model.history_s, 0, padding=0)
        self.plot.getAxis("left").setTicks([[(model.axis.row_of(f), _hz_label(f)) for f in FREQUENCY_TICKS_HZ]])
        speech_label = pg.TextItem("speech", color="#50dc8c", anchor=(0, 0.5))
        speech_label.setPos(-model.history_s + 0.1, -SPEECH_BAND_ROWS / 2 - 0.5)
        self.plot.addItem(speech_label)
        self.refresh(force=True)

    def refresh(self, force: bool = False) -> bool:
        """Show the model's newest columns; returns True if anything new was drawn."""
        written = self.model.columns_written
        if written == self._last_drawn_columns and not force:
            return False
        self._last_drawn_columns = written
        width = self.model.width
        start = self.model.visible_start()
        seconds_per_column = 1.0 / COLUMNS_PER_SECOND
        # Column (start + width - 1) of the double buffer is the newest: it belongs at t = 0.
        left = -(start + width) * seconds_per_column
        self.image.setImage(self.model.image, autoLevels=False, levels=(0, 255))
        self.image.setRect(QtCore.QRectF(left, 0, 2 * width * seconds_per_column, self.model.axis.rows))
        self.speech_band.setImage(self.model.speech, autoLevels=False, levels=(0, 1))
        self.speech_band.setRect(
            QtCore.QRectF(left, -SPEECH_BAND_ROWS - 0.5, 2 * width * seconds_per_column, SPEECH_BAND_ROWS)
        )
        self.frames_drawn += 1
        return True

    def set_time_origin_label(self, text: str) -> None:
        self.plot.setLabel("bottom", text)

    def save_png(self, path: str) -> None:
        pixmap: QtGui.QPixmap = self.grab()
        pixmap.save(path)


def _hz_label(frequency: float) -> str:
    return f"{frequency / 1000:g}k" if frequency >= 1000 else f"{frequency:g}"
