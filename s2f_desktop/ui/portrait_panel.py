"""The portrait area. Until the voice and face models are wired in, it says plainly what will appear here."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

PLACEHOLDER_TEXT = (
    "<h2>Portrait</h2>"
    "<p>As you speak, a face will appear here and refine as more speech accumulates.</p>"
    "<p>It is a <b>statistical average of many real faces</b> whose voices sound similar to this one "
    "&mdash; never a picture of the speaker.</p>"
)


class PortraitPanel(QtWidgets.QFrame):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("portraitPanel")
        self.setMinimumWidth(340)
        layout = QtWidgets.QVBoxLayout(self)
        self.placeholder = QtWidgets.QLabel(PLACEHOLDER_TEXT)
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setObjectName("portraitPlaceholder")
        layout.addWidget(self.placeholder, 1)
