"""Explore: override what the voice says (gender, age), set the population mix, compare two recordings."""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtWidgets

from s2f_desktop.portrait.latent import AGE_BINS, RACES
from s2f_desktop.portrait.settings import PortraitSettings
from s2f_desktop.ui.portrait_panel import PortraitImage

FROM_VOICE = "from the voice"
GROUP_LABELS = {"Latino_Hispanic": "Latino / Hispanic"}


class ExplorePanel(QtWidgets.QWidget):
    settings_changed = QtCore.Signal(object)  # PortraitSettings
    compare_requested = QtCore.Signal(str, str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QtWidgets.QVBoxLayout(self)
        overrides = QtWidgets.QGroupBox("Override the voice")
        form = QtWidgets.QFormLayout(overrides)
        self.gender_from_voice = QtWidgets.QCheckBox(FROM_VOICE)
        self.gender_from_voice.setChecked(True)
        self.gender_slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.gender_slider.setRange(0, 100)
        self.gender_slider.setValue(50)
        self.gender_slider.setEnabled(False)
        self.gender_slider.setToolTip("0 = female, 100 = male")
        gender_row = QtWidgets.QHBoxLayout()
        gender_row.addWidget(QtWidgets.QLabel("female"))
        gender_row.addWidget(self.gender_slider, 1)
        gender_row.addWidget(QtWidgets.QLabel("male"))
        form.addRow("Gender", self.gender_from_voice)
        form.addRow("", gender_row)
        self.age_combo = QtWidgets.QComboBox()
        self.age_combo.addItems([FROM_VOICE, *AGE_BINS])
        form.addRow("Age", self.age_combo)
        layout.addWidget(overrides)
        prior_box = QtWidgets.QGroupBox("Population mix (never inferred from the voice)")
        prior_layout = QtWidgets.QFormLayout(prior_box)
        self.prior_sliders: list[QtWidgets.QSlider] = []
        for race in RACES:
            slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
            slider.setRange(0, 100)
            slider.setValue(50)
            slider.valueChanged.connect(self._emit)
            self.prior_sliders.append(slider)
            prior_layout.addRow(GROUP_LABELS.get(race, race), slider)
        self.balanced_button = QtWidgets.QPushButton("Balanced")
        self.balanced_button.clicked.connect(self.set_balanced)
        prior_layout.addRow("", self.balanced_button)
        layout.addWidget(prior_box)
        compare_box = QtWidgets.QGroupBox("Compare two recordings")
        compare_layout = QtWidgets.QGridLayout(compare_box)
        self.file_a = QtWidgets.QLineEdit()
        self.file_b = QtWidgets.QLineEdit()
        for row, (label, edit) in enumerate((("A", self.file_a), ("B", self.file_b))):
            edit.setPlaceholderText(f"recording {label}")
            edit.setMinimumWidth(120)
            browse = QtWidgets.QPushButton("…")
            browse.clicked.connect(lambda _=False, e=edit: self._browse(e))
            compare_layout.addWidget(QtWidgets.QLabel(label), row, 0)
            compare_layout.addWidget(edit, row, 1)
            compare_layout.addWidget(browse, row, 2)
        self.compare_button = QtWidgets.QPushButton("Compare")
        self.compare_button.clicked.connect(self._request_compare)
        compare_layout.addWidget(self.compare_button, 2, 1)
        self.portrait_a = PortraitImage()
        self.portrait_b = PortraitImage()
        for image in (self.portrait_a, self.portrait_b):
            image.setMinimumSize(140, 140)
            image.clear_portrait("")
        pair = QtWidgets.QHBoxLayout()
        pair.addWidget(self.portrait_a)
        pair.addWidget(self.portrait_b)
        compare_layout.addLayout(pair, 3, 0, 1, 3)
        self.morph_strip = QtWidgets.QLabel()
        self.morph_strip.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        compare_layout.addWidget(self.morph_strip, 4, 0, 1, 3)
        self.compare_status = QtWidgets.QLabel("")
        self.compare_status.setWordWrap(True)
        compare_layout.addWidget(self.compare_status, 5, 0, 1, 3)
        layout.addWidget(compare_box)
        layout.addStretch(1)
        self.gender_from_voice.toggled.connect(self._gender_mode)
        self.gender_slider.valueChanged.connect(self._emit)
        self.age_combo.currentIndexChanged.connect(self._emit)

    def settings(self) -> PortraitSettings:
        weights = np.array([s.value() for s in self.prior_sliders], dtype=np.float64)
        prior = weights / weights.sum() if weights.sum() > 0 else np.full(len(RACES), 1 / len(RACES))
        age = self.age_combo.currentText()
        return PortraitSettings(
            race_prior=tuple(float(w) for w in prior),
            p_male_override=None if self.gender_from_voice.isChecked() else self.gender_slider.value() / 100,
            age_bin_override=None if age == FROM_VOICE else age,
        )

    def set_balanced(self) -> None:
        for slider in self.prior_sliders:
            slider.blockSignals(True)
            slider.setValue(50)
            slider.blockSignals(False)
        self._emit()

    def _gender_mode(self, from_voice: bool) -> None:
        self.gender_slider.setEnabled(not from_voice)
        self._emit()

    def _emit(self) -> None:
        self.settings_changed.emit(self.settings())

    def _browse(self, edit: QtWidgets.QLineEdit) -> None:
        from s2f_desktop.ui.main_window import AUDIO_FILTER

        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Choose a recording", "", AUDIO_FILTER)
        if path:
            edit.setText(path)

    def _request_compare(self) -> None:
        a, b = self.file_a.text().strip(), self.file_b.text().strip()
        if a and b:
            self.compare_requested.emit(a, b)
        else:
            self.compare_status.setText("Choose two recordings first.")
