"""`s2f models import-vad`: copy silero VAD's ONNX file out of the silero-vad wheel into models/.

The wheel itself requires torch (and its onnx extra pulls the CPU onnxruntime that breaks onnxruntime-gpu), so the
app never depends on it: install it with `pip install --no-deps silero-vad==6.2.3` in the training venv and run this.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
from pathlib import Path

from s2f_desktop.inference.session import file_sha256
from s2f_desktop.paths import models_dir

SOURCE_FILE = "silero_vad.onnx"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=None, help="destination (default: models/silero_vad.onnx)")


def run(args: argparse.Namespace) -> int:
    spec = importlib.util.find_spec("silero_vad")
    if spec is None or not spec.submodule_search_locations:
        print("silero-vad is not installed: pip install --no-deps silero-vad==6.2.3 (training venv)")
        return 1
    source = Path(next(iter(spec.submodule_search_locations))) / "data" / SOURCE_FILE
    destination = args.out or models_dir() / "silero_vad.onnx"
    shutil.copyfile(source, destination)
    print(f"copied {source} -> {destination}\nsha256 {file_sha256(destination)}")
    return 0
