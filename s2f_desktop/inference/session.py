"""ONNX Runtime sessions: ask for CUDA first, fall back to CPU, and report what actually runs.

`onnxruntime.get_available_providers()` lists CUDA whenever the GPU build is installed, GPU or not; only
`session.get_providers()` after creating the session tells the truth, so that is what we report.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import functools
import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

# Offline means offline: ONNX Runtime 1.31 otherwise keeps a telemetry device id under ~/.cache/Microsoft (and
# may send events). The variable must be set before the first session is created; the user can still override it.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

import onnxruntime as ort  # noqa: E402 - after the telemetry switch above

from s2f_desktop.paths import model_path

PREFERRED_PROVIDERS = ("CUDAExecutionProvider", "CPUExecutionProvider")

_cuda_dlls_loaded = False
_lock = threading.Lock()


class ModelError(RuntimeError):
    """A shipped model is missing or unreadable; the message says which file and what to do."""


@dataclass(frozen=True)
class LoadedModel:
    session: ort.InferenceSession
    path: Path
    provider: str  # the provider that actually runs the first node, e.g. "CPUExecutionProvider"

    @property
    def provider_label(self) -> str:
        return provider_label(self.provider)


def provider_label(provider: str) -> str:
    return {"CUDAExecutionProvider": "CUDA", "CPUExecutionProvider": "CPU"}.get(provider, provider)


@functools.cache  # find_library runs compilers/ldconfig: ask once per process
def cuda_unavailable_reason() -> str | None:
    """Why CUDA cannot run here, or None when it may. Avoids a noisy failed CUDA load on GPU-less machines."""
    if "CUDAExecutionProvider" not in ort.get_available_providers():
        return "this onnxruntime build has no CUDA provider"
    if ctypes.util.find_library("cuda") is None:
        return "no NVIDIA driver found"
    return None


def _preload_cuda_libraries() -> None:
    """Load CUDA/cuDNN from the nvidia-* wheels if present (onnxruntime-gpu[cuda,cudnn]); harmless without."""
    global _cuda_dlls_loaded
    if _cuda_dlls_loaded:
        return
    _cuda_dlls_loaded = True
    preload = getattr(ort, "preload_dlls", None)
    if preload is not None:
        with contextlib.suppress(Exception):  # no CUDA wheels: the CPU fallback is the normal case
            preload()


def load_model(file_name_or_path: str | Path, *, threads: int = 0, allow_cuda: bool = True) -> LoadedModel:
    """Open a model from models/ (or a path), CUDA first; raise ModelError with a clear message on failure."""
    path = Path(file_name_or_path)
    if not path.is_absolute() and not path.exists():
        path = model_path(str(file_name_or_path))
    if not path.is_file():
        raise ModelError(f"Model file {path.name} is missing (looked in {path.parent}). Reinstall the app.")
    with _lock:
        ort.set_default_logger_severity(3)  # the CUDA-missing fallback otherwise prints alarming lines
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        try_cuda = allow_cuda and cuda_unavailable_reason() is None
        providers = list(PREFERRED_PROVIDERS) if try_cuda else ["CPUExecutionProvider"]
        if try_cuda:
            _preload_cuda_libraries()
        try:
            session = ort.InferenceSession(str(path), sess_options=options, providers=providers)
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises several unrelated types for bad files
            raise ModelError(f"Model file {path.name} could not be loaded ({exc}). It may be corrupt: reinstall.") from exc
    return LoadedModel(session=session, path=path, provider=session.get_providers()[0])


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
