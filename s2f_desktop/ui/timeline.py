"""The recording's timeline: where speech was found, the play position, and a selected range.

Click or drag to move the position; shift-drag to select a time range (e.g. one speaker's turn).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets


class Timeline(QtWidgets.QWidget):
    seek_requested = QtCore.Signal(float)  # seconds
    selection_changed = QtCore.Signal(object)  # (start_s, end_s) or None

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(28)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Recording position")
        self.duration_s = 0.0
        self.position_s = 0.0
        self.speech_segments: list[tuple[float, float]] = []
        self.selection: tuple[float, float] | None = None
        self._drag_anchor: float | None = None

    def set_recording(self, duration_s: float) -> None:
        self.duration_s = duration_s
        self.position_s = 0.0
        self.speech_segments = []
        self.selection = None
        self.update()

    def set_position(self, seconds: float) -> None:
        self.position_s = seconds
        self.update()

    def set_speech(self, segments: list[tuple[float, float]]) -> None:
        self.speech_segments = segments
        self.update()

    def set_selection(self, selection: tuple[float, float] | None) -> None:
        self.selection = selection
        self.selection_changed.emit(selection)
        self.update()

    def _seconds_at(self, x: float) -> float:
        return max(0.0, min(self.duration_s, x / max(1, self.width()) * self.duration_s))

    def _x_of(self, seconds: float) -> float:
        return seconds / self.duration_s * self.width() if self.duration_s else 0.0

    def mousePressEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802
        seconds = self._seconds_at(event.position().x())
        if event.modifiers() & QtCore.Qt.KeyboardModifier.ShiftModifier:
            self._drag_anchor = seconds
            self.set_selection(None)
        else:
            self.seek_requested.emit(seconds)

    def mouseMoveEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802
        seconds = self._seconds_at(event.position().x())
        if self._drag_anchor is not None:
            self.selection = (min(self._drag_anchor, seconds), max(self._drag_anchor, seconds))
            self.update()
        else:
            self.seek_requested.emit(seconds)

    def mouseReleaseEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802
        if self._drag_anchor is not None:
            self._drag_anchor = None
            selection = self.selection if self.selection and self.selection[1] - self.selection[0] > 0.2 else None
            self.set_selection(selection)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802
        step = {QtCore.Qt.Key.Key_Left: -5.0, QtCore.Qt.Key.Key_Right: 5.0}.get(QtCore.Qt.Key(event.key()))
        if step is None or not self.duration_s:
            super().keyPressEvent(event)
            return
        self.seek_requested.emit(max(0.0, min(self.duration_s, self.position_s + step)))

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802
        painter = QtGui.QPainter(self)
        height = self.height()
        painter.fillRect(self.rect(), QtGui.QColor("#1d2026"))
        if self.duration_s:
            for start, end in self.speech_segments:
                x0, x1 = self._x_of(start), self._x_of(end)
                painter.fillRect(QtCore.QRectF(x0, height * 0.55, max(1.0, x1 - x0), height * 0.45), QtGui.QColor("#50dc8c"))
            if self.selection:
                x0, x1 = self._x_of(self.selection[0]), self._x_of(self.selection[1])
                painter.fillRect(QtCore.QRectF(x0, 0, x1 - x0, height), QtGui.QColor(90, 150, 255, 90))
            x = self._x_of(self.position_s)
            painter.fillRect(QtCore.QRectF(x - 1, 0, 3, height), QtGui.QColor("#f0f0f0"))
        painter.setPen(QtGui.QColor("#9aa0aa"))
        painter.drawText(
            QtCore.QRectF(6, 0, self.width() - 12, height * 0.55), int(QtCore.Qt.AlignmentFlag.AlignVCenter), self._label()
        )
        painter.end()

    def _label(self) -> str:
        if not self.duration_s:
            return ""
        return f"{_clock(self.position_s)} / {_clock(self.duration_s)}"


def _clock(seconds: float) -> str:
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
