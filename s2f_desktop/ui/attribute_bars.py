"""Live bars for the voice's attribute posterior: P(male) as one split bar, the age distribution as columns."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

MALE_COLOUR = QtGui.QColor("#4f8fe8")
FEMALE_COLOUR = QtGui.QColor("#e0679a")
AGE_COLOUR = QtGui.QColor("#e3a33b")
TEXT_COLOUR = QtGui.QColor("#d8dbe0")


class GenderBar(QtWidgets.QWidget):
    """female |■■■■■■■■■□□□□| male, with the percentages written at the ends."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.p_male: float | None = None
        self.setMinimumHeight(24)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Probability that the voice is male or female")

    def set_value(self, p_male: float | None) -> None:
        self.p_male = p_male
        self.update()

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802
        painter = QtGui.QPainter(self)
        rect = QtCore.QRectF(self.rect())
        painter.fillRect(rect, QtGui.QColor("#22262c"))
        if self.p_male is not None:
            split = rect.width() * (1.0 - self.p_male)
            painter.fillRect(QtCore.QRectF(0, 0, split, rect.height()), FEMALE_COLOUR.darker(130))
            painter.fillRect(QtCore.QRectF(split, 0, rect.width() - split, rect.height()), MALE_COLOUR.darker(130))
            painter.setPen(TEXT_COLOUR)
            inner = rect.adjusted(8, 0, -8, 0)
            painter.drawText(inner, int(QtCore.Qt.AlignmentFlag.AlignVCenter | QtCore.Qt.AlignmentFlag.AlignLeft),
                             f"female {1 - self.p_male:.0%}")
            painter.drawText(inner, int(QtCore.Qt.AlignmentFlag.AlignVCenter | QtCore.Qt.AlignmentFlag.AlignRight),
                             f"male {self.p_male:.0%}")
        painter.end()


class AgeBars(QtWidgets.QWidget):
    """One column per age bin, height = probability; bin labels underneath."""

    def __init__(self, labels: tuple[str, ...], parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels = labels
        self.values: list[float] = []
        self.setMinimumHeight(90)
        self.setAccessibleName("Probability of each age range")

    def set_values(self, values: list[float]) -> None:
        self.values = values
        self.update()

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802
        painter = QtGui.QPainter(self)
        label_height = 16
        width = self.width() / len(self.labels)
        chart = self.height() - label_height - 14
        painter.setPen(QtGui.QColor("#9aa0aa"))
        font = painter.font()
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.8))
        painter.setFont(font)
        for index, label in enumerate(self.labels):
            x = index * width
            value = self.values[index] if index < len(self.values) else 0.0
            bar = chart * value
            painter.fillRect(QtCore.QRectF(x + 3, 14 + chart - bar, width - 6, bar), AGE_COLOUR)
            painter.drawText(QtCore.QRectF(x, self.height() - label_height, width, label_height),
                             int(QtCore.Qt.AlignmentFlag.AlignCenter), label)
            if value >= 0.05:
                painter.drawText(QtCore.QRectF(x, 14 + chart - bar - 14, width, 14),
                                 int(QtCore.Qt.AlignmentFlag.AlignCenter), f"{value:.0%}")
        painter.end()
