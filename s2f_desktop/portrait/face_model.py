"""The face decoder at run time: models/face_decoder.onnx (+ its JSON metadata) -> portrait images.

The whole render (texture mix, warp to the shape, backdrop) happens inside the ONNX graph, so it runs on the
CUDA provider when there is one. Every rendered face is an average of at least 50 real people.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from s2f_desktop.inference.session import LoadedModel, ModelError, load_model
from s2f_desktop.portrait import latent as latent_layout

DECODER_FILE = "face_decoder.onnx"
SUPPORTED_SIZES = (256, 512)


@dataclass
class FaceModel:
    loaded: LoadedModel
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def provider(self) -> str:
        return self.loaded.provider

    @property
    def latent_size(self) -> int:
        return int(self.metadata.get("latent_size", latent_layout.LATENT_SIZE))

    @property
    def default_size(self) -> int:
        return int(self.metadata.get("default_size", 256))

    def render(self, latent: np.ndarray, size: int | None = None) -> np.ndarray:
        """One latent (LATENT_SIZE,) -> (size, size, 3) uint8 RGB portrait."""
        return self.render_batch(np.asarray(latent, np.float32)[None], size)[0]

    def render_batch(self, latents: np.ndarray, size: int | None = None) -> np.ndarray:
        """(N, LATENT_SIZE) -> (N, size, size, 3) uint8."""
        batch = np.ascontiguousarray(latents, dtype=np.float32)
        if batch.ndim != 2 or batch.shape[1] != self.latent_size:
            raise ValueError(f"latents must have shape (N, {self.latent_size}), got {batch.shape}")
        if not np.isfinite(batch).all():
            raise ValueError("latents contain NaN or infinity")
        side = self.default_size if size is None else int(size)
        if not 32 <= side <= 1024:
            raise ValueError(f"portrait size must be between 32 and 1024 pixels, got {side}")
        feeds = {"latent": batch, "size": np.array([side], np.int64)}
        (image,) = self.loaded.session.run(["image"], feeds)
        return image


def load_face_model(path: str | Path = DECODER_FILE, *, threads: int = 0, allow_cuda: bool = True) -> FaceModel:
    """Open the decoder and its metadata (face_decoder.json beside it); ModelError with a clear message if
    either is missing, unreadable, or they do not belong together."""
    loaded = load_model(path, threads=threads, allow_cuda=allow_cuda)
    meta_path = loaded.path.with_suffix(".json")
    if not meta_path.is_file():
        raise ModelError(f"Model metadata {meta_path.name} is missing (looked in {meta_path.parent}). Reinstall the app.")
    try:
        metadata = json.loads(meta_path.read_text())
    except (OSError, ValueError) as exc:
        raise ModelError(f"Model metadata {meta_path.name} could not be read ({exc}). Reinstall the app.") from exc
    session = loaded.session
    inputs = {i.name: i.shape for i in session.get_inputs()}
    # `size` has a default, so ONNX Runtime lists it as an overridable initializer rather than an input
    inputs.update({i.name: i.shape for i in session.get_overridable_initializers()})
    width = inputs.get("latent", [None, None])[-1]
    if "latent" not in inputs or "size" not in inputs or width != metadata.get("latent_size"):
        raise ModelError(
            f"Model file {loaded.path.name} does not match {meta_path.name} (latent width {width} vs "
            f"{metadata.get('latent_size')}). Reinstall the app."
        )
    return FaceModel(loaded=loaded, metadata=metadata)


def encode_png(image: np.ndarray) -> bytes:
    """(H, W, 3) uint8 RGB -> PNG bytes (zlib only: the CLI needs no imaging library)."""
    import struct
    import zlib

    data = np.ascontiguousarray(image, dtype=np.uint8)
    if data.ndim != 3 or data.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) image, got {data.shape}")
    height, width = data.shape[:2]
    raw = np.concatenate([np.zeros((height, 1), np.uint8), data.reshape(height, -1)], axis=1).tobytes()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def save_png(path: str | Path, image: np.ndarray) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(encode_png(image))
    return target
