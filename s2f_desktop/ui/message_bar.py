"""A banner at the top of the window for problems and notices: readable, dismissable, with one optional action.

Used instead of modal dialogs so that an unattended installation never blocks on a box nobody will click.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtWidgets


class MessageBar(QtWidgets.QFrame):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        self.text = QtWidgets.QLabel()
        self.text.setWordWrap(True)
        self.action_button = QtWidgets.QPushButton()
        self.close_button = QtWidgets.QPushButton("Dismiss")
        layout.addWidget(self.text, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.close_button)
        self.close_button.clicked.connect(self.hide)
        self._action: Callable[[], None] | None = None
        self.action_button.clicked.connect(self._run_action)
        self.hide()

    def show_message(
        self, text: str, kind: str = "error", action_text: str | None = None, action: Callable[[], None] | None = None
    ) -> None:
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.text.setText(text)
        self._action = action
        self.action_button.setVisible(action is not None)
        if action_text:
            self.action_button.setText(action_text)
        self.show()

    def _run_action(self) -> None:
        action = self._action
        self.hide()
        if action is not None:
            action()
