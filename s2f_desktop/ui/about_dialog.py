"""'About these models': the model cards (data, licences, measured accuracy, limits) and the caveats, as shipped."""

from __future__ import annotations

from PySide6 import QtWidgets

from s2f_desktop.paths import models_dir, resources_dir

CARD_ORDER = ("voice_models.md", "face_decoder.md", "face_attributes.md", "README.md")


def about_markdown() -> str:
    parts = []
    caveats = resources_dir() / "texts" / "caveats.md"
    if caveats.is_file():
        parts.append(caveats.read_text(encoding="utf-8"))
    cards = sorted(models_dir().glob("*.md"), key=lambda p: (CARD_ORDER.index(p.name) if p.name in CARD_ORDER else 99, p.name))
    for card in cards:
        parts.append(card.read_text(encoding="utf-8"))
    return "\n\n---\n\n".join(parts) if parts else "No model cards were found in the models folder."


class AboutModelsDialog(QtWidgets.QDialog):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About these models")
        self.resize(820, 700)
        layout = QtWidgets.QVBoxLayout(self)
        self.browser = QtWidgets.QTextBrowser()
        self.browser.setOpenExternalLinks(False)  # offline: links are shown, never opened
        self.browser.setMarkdown(about_markdown())
        layout.addWidget(self.browser)
        close = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
