"""Where the app finds its shipped files (models, resources), in a checkout, an install or a bundle."""

from __future__ import annotations

import os
import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _root_candidates() -> list[Path]:
    roots = [_PACKAGE_DIR.parent]  # a checkout / editable install: models/ sits beside the package
    bundle = getattr(sys, "_MEIPASS", None)  # a PyInstaller bundle unpacks data beside the code
    if bundle:
        roots.insert(0, Path(bundle))
    return roots


def models_dir() -> Path:
    """The folder holding the shipped ONNX models (override with S2F_MODELS_DIR)."""
    override = os.environ.get("S2F_MODELS_DIR")
    if override:
        return Path(override)
    for root in _root_candidates():
        if (root / "models").is_dir():
            return root / "models"
    return _PACKAGE_DIR.parent / "models"


def resources_dir() -> Path:
    for root in _root_candidates():
        if (root / "resources").is_dir():
            return root / "resources"
    return _PACKAGE_DIR.parent / "resources"


def model_path(file_name: str) -> Path:
    return models_dir() / file_name
