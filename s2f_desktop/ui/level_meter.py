"""Input level meter: peak bar in dBFS with a held peak and a clipping lamp that stays lit for a while."""

from __future__ import annotations

import time

from PySide6 import QtCore, QtGui, QtWidgets

FLOOR_DB = -60.0
CLIP_HOLD_S = 2.0
PEAK_FALL_DB_PER_S = 20.0


class LevelMeter(QtWidgets.QWidget):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(160, 18)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Fixed)
        self.level_db = FLOOR_DB
        self.held_db = FLOOR_DB
        self._clip_until = 0.0
        self._last_update = time.monotonic()
        self.setToolTip("Input level (dBFS). The lamp on the right lights red when the input clips.")

    @property
    def clipping(self) -> bool:
        return time.monotonic() < self._clip_until

    def show_level(self, peak_db: float, clipped: bool) -> None:
        now = time.monotonic()
        fall = PEAK_FALL_DB_PER_S * (now - self._last_update)
        self._last_update = now
        self.level_db = max(FLOOR_DB, peak_db)
        self.held_db = max(self.level_db, self.held_db - fall)
        if clipped:
            self._clip_until = now + CLIP_HOLD_S
        self.update()

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QtGui.QPainter(self)
        lamp = self.height()
        bar = QtCore.QRectF(0, 0, self.width() - lamp - 4, self.height())
        painter.fillRect(bar, QtGui.QColor("#1d2026"))
        fraction = (self.level_db - FLOOR_DB) / -FLOOR_DB
        gradient = QtGui.QLinearGradient(bar.topLeft(), bar.topRight())
        gradient.setColorAt(0.0, QtGui.QColor("#2f9e6a"))
        gradient.setColorAt(0.8, QtGui.QColor("#d9c23a"))
        gradient.setColorAt(1.0, QtGui.QColor("#e0483c"))
        painter.fillRect(QtCore.QRectF(bar.left(), 0, bar.width() * max(0.0, fraction), bar.height()), gradient)
        held_x = bar.left() + bar.width() * max(0.0, (self.held_db - FLOOR_DB) / -FLOOR_DB)
        painter.fillRect(QtCore.QRectF(held_x - 1, 0, 2, bar.height()), QtGui.QColor("#f0f0f0"))
        painter.setBrush(QtGui.QColor("#ff3b30") if self.clipping else QtGui.QColor("#3a3d44"))
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        painter.drawEllipse(QtCore.QRectF(self.width() - lamp, 0, lamp, lamp))
        painter.end()
