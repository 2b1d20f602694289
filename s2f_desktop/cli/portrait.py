"""`s2f portrait`: render the portrait for a recording, or for attributes given explicitly.

    s2f portrait FILE -o OUT.png [--max-seconds S] [--json]
    s2f portrait --attributes 'gender=female,age=30-39' -o OUT.png [--json]

The portrait is a statistical average of real faces (>= 50 per mean) whose attributes match the estimate:
never a picture of the speaker. Race/ethnicity is not estimated from the voice; it comes from the stated
population prior (--population, default: the seven FairFace groups in equal parts).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from s2f_desktop.portrait import latent as lat

VOICE_MODULE = "s2f_desktop.inference.voice_analysis"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", type=Path, help="a recording (wav, flac, ogg, ...)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="where to write the portrait PNG")
    parser.add_argument("--max-seconds", type=float, default=None, help="use at most this much of the recording")
    parser.add_argument("--json", action="store_true", help="print the analysis and the portrait path as JSON")
    parser.add_argument(
        "--attributes",
        help="render for explicit attributes instead of a recording, e.g. 'gender=female,age=30-39' "
        f"(age bins: {', '.join(lat.AGE_BINS)}; either key may be left out)",
    )
    parser.add_argument(
        "--population",
        help="population prior over the 7 FairFace groups, e.g. 'White=2,Black=1' (default: equal parts)",
    )
    parser.add_argument("--size", type=int, default=256, choices=(256, 512), help="portrait size in pixels")


def parse_attributes(text: str) -> tuple[str | None, str | None]:
    """'gender=female,age=30-39' -> ('female', '30-39'); raises ValueError with a helpful message."""
    values: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if not sep or key not in ("gender", "age"):
            raise ValueError(f"cannot read {part.strip()!r}: use gender=male|female and/or age=<bin>")
        values[key] = value.strip()
    if not values:
        raise ValueError("--attributes is empty: use e.g. 'gender=female,age=30-39'")
    return values.get("gender"), values.get("age")


def parse_population(text: str | None) -> np.ndarray:
    if not text:
        return lat.balanced_race_prior()
    weights: dict[str, float] = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"cannot read {part.strip()!r}: use Group=weight")
        try:
            weights[name.strip()] = float(value)
        except ValueError as exc:
            raise ValueError(f"weight for {name.strip()!r} is not a number: {value!r}") from exc
    return lat.race_prior_from_mapping(weights)


def _render(joint: np.ndarray, prior: np.ndarray, output: Path, size: int) -> tuple[Path, str]:
    from s2f_desktop.portrait.face_model import load_face_model, save_png

    model = load_face_model()
    image = model.render(lat.latent_from_joint(joint, prior), size)
    return save_png(output, image), model.provider


def run(args: argparse.Namespace) -> int:
    from s2f_desktop.inference.session import ModelError

    if (args.file is None) == (args.attributes is None):
        print("s2f portrait: give either a recording FILE or --attributes 'gender=...,age=...'", file=sys.stderr)
        return 2
    try:
        prior = parse_population(args.population)
        if args.attributes is not None:
            gender, age = parse_attributes(args.attributes)
            joint = lat.attributes_to_joint(gender, age)
            report: dict[str, Any] = {"attributes": {"gender": gender, "age": age}}
        else:
            analysis = _analyze(args.file, args.max_seconds)
            if analysis is None:
                return 2
            joint = np.asarray(analysis.joint, dtype=np.float64)
            report = dict(analysis.to_json())
    except ValueError as exc:
        print(f"s2f portrait: {exc}", file=sys.stderr)
        return 2
    try:
        path, provider = _render(joint, prior, args.output, args.size)
    except ModelError as exc:
        print(f"s2f portrait: {exc}", file=sys.stderr)
        return 1
    if args.json:
        report["population_prior"] = {name: round(float(p), 4) for name, p in zip(lat.RACES, prior, strict=True)}
        report["decoder_provider"] = provider
        report["portrait"] = str(path)
        print(json.dumps(report))
    else:
        print(f"portrait written to {path} (a statistical average of real faces, not a picture of the speaker)")
    return 0


def _analyze(path: Path, max_seconds: float | None) -> Any:
    """Run the voice analysis (the voice models' module); None, with a clear message, if it is not installed."""
    import importlib

    try:
        voice = importlib.import_module(VOICE_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name != VOICE_MODULE:
            raise
        print(
            "s2f portrait: the voice models are not part of this build yet, so a recording cannot be analysed.\n"
            "Render from explicit attributes instead, e.g.: s2f portrait --attributes 'gender=female,age=30-39' "
            "-o portrait.png",
            file=sys.stderr,
        )
        return None
    if not path.is_file():
        raise ValueError(f"no such recording: {path}")
    return voice.analyze_file(path, max_seconds=max_seconds)
