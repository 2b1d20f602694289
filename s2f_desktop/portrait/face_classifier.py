"""Wrapper of models/face_attributes.onnx: portrait image -> P(male), age-bin and race probabilities.

For evaluation and tests only (it measures rendered portraits the way Speech2Face did). Its output is never
shown to users as a claim about a speaker.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from s2f_desktop.inference.session import LoadedModel, ModelError, load_model
from s2f_desktop.portrait.latent import AGE_BINS, RACES

CLASSIFIER_FILE = "face_attributes.onnx"


@dataclass(frozen=True)
class FaceAttributes:
    p_male: float
    age_probs: np.ndarray  # (9,) over AGE_BINS
    race_probs: np.ndarray  # (7,) over RACES

    @property
    def gender(self) -> str:
        return "male" if self.p_male >= 0.5 else "female"

    @property
    def age_bin(self) -> str:
        return AGE_BINS[int(self.age_probs.argmax())]

    @property
    def race(self) -> str:
        return RACES[int(self.race_probs.argmax())]


def resize_matrix(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) linear resampling weights with a triangle filter widened when shrinking (antialiased)."""
    scale = n_in / n_out
    support = max(scale, 1.0)
    centres = (np.arange(n_out) + 0.5) * scale - 0.5
    taps = np.arange(n_in)[None, :] - centres[:, None]
    weights = np.clip(1.0 - np.abs(taps) / support, 0.0, None)
    return weights / weights.sum(1, keepdims=True)


def resize_image(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """(H, W, C) -> (height, width, C) float32 via separable antialiased linear filtering."""
    rows = resize_matrix(image.shape[0], height)
    cols = resize_matrix(image.shape[1], width)
    data = image.astype(np.float32)
    return np.einsum("yh,hwc,xw->yxc", rows, data, cols, optimize=True)


class FaceClassifier:
    def __init__(self, loaded: LoadedModel):
        self.loaded = loaded
        meta = loaded.session.get_modelmeta().custom_metadata_map
        try:
            self.pixels = int(meta["input_pixels"])
            self.box = tuple(float(v) for v in json.loads(meta["canvas_box"]))
        except (KeyError, ValueError) as exc:
            raise ModelError(f"Model file {loaded.path.name} lacks its input description ({exc}). Reinstall.") from exc

    def crop(self, portrait: np.ndarray) -> np.ndarray:
        """The classifier's box of a portrait (any size, decoder framing) at its input resolution, uint8."""
        h, w = portrait.shape[:2]
        x0, y0, x1, y1 = self.box
        part = portrait[int(round(y0 * h)) : int(round(y1 * h)), int(round(x0 * w)) : int(round(x1 * w))]
        small = resize_image(part, self.pixels, self.pixels)
        return np.clip(np.rint(small), 0, 255).astype(np.uint8)

    def classify_batch(self, portraits: np.ndarray | list[np.ndarray]) -> list[FaceAttributes]:
        batch = np.stack([self.crop(np.asarray(p)) for p in portraits])
        p_male, ages, races = self.loaded.session.run(None, {"image": batch})
        return [FaceAttributes(float(p_male[i]), ages[i], races[i]) for i in range(len(batch))]

    def classify(self, portrait: np.ndarray) -> FaceAttributes:
        return self.classify_batch([portrait])[0]


def load_face_classifier(path: str | Path = CLASSIFIER_FILE, *, threads: int = 0) -> FaceClassifier:
    return FaceClassifier(load_model(path, threads=threads))
