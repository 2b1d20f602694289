"""`s2f portrait`: render the portrait for a recording, or for attributes given explicitly.

    s2f portrait FILE -o OUT.png [--max-seconds S] [--json]
    s2f portrait --attributes 'gender=female,age=30-39' -o OUT.png [--json]
    s2f portrait FILE -o OUT.png --report CASE.pdf [--start S] [--end S] [--prior 'White=1,Black=1,...']

--report writes an investigator's case report: CASE.pdf, its JSON sidecar CASE.json and the portrait CASE.png
(input sha256, segment, settings, models and their sha256, posteriors, refinement history, limits).

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

from s2f_desktop.audio.file_source import AudioFileError
from s2f_desktop.inference.session import ModelError
from s2f_desktop.portrait import latent as lat

# Problems a user can fix (a bad or speechless recording, a missing model, an unwritable output): a message and
# exit status 1. NoSpeechError is an AudioFileError; the report's ExportError is an OSError.
USER_ERRORS = (AudioFileError, ModelError, OSError)


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
        "--prior",
        help="population prior over the 7 FairFace groups, e.g. 'White=2,Black=1' (default: equal parts)",
    )
    parser.add_argument("--size", type=int, default=256, choices=(256, 512), help="portrait size in pixels")
    parser.add_argument(
        "--report",
        type=Path,
        metavar="CASE.pdf",
        help="also write a case report: CASE.pdf, the JSON sidecar CASE.json and the portrait CASE.png",
    )
    parser.add_argument("--start", type=float, default=None, metavar="S", help="analyse from S seconds into the file")
    parser.add_argument("--end", type=float, default=None, metavar="S", help="analyse up to S seconds into the file")


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
    if (args.file is None) == (args.attributes is None):
        print("s2f portrait: give either a recording FILE or --attributes 'gender=...,age=...'", file=sys.stderr)
        return 2
    segment_given = args.start is not None or args.end is not None
    if args.attributes is not None and (args.report is not None or segment_given):
        print("s2f portrait: --report, --start and --end need a recording FILE, not --attributes", file=sys.stderr)
        return 2
    try:
        if args.file is not None and args.output.resolve() == args.file.resolve():
            raise ValueError(f"refusing to overwrite the recording itself with the portrait: {args.output}")
        prior = parse_population(args.population)
        if args.report is not None:
            return _write_report(args, prior)
        if args.attributes is not None:
            gender, age = parse_attributes(args.attributes)
            joint = lat.attributes_to_joint(gender, age)
            result: dict[str, Any] = {"attributes": {"gender": gender, "age": age}}
        else:
            analysis = _analyze(args)
            joint = np.asarray(analysis.joint, dtype=np.float64)
            result = dict(analysis.to_json())
        path, provider = _render(joint, prior, args.output, args.size)
    except ValueError as exc:
        print(f"s2f portrait: {exc}", file=sys.stderr)
        return 2
    except USER_ERRORS as exc:
        print(f"s2f portrait: {exc}", file=sys.stderr)
        return 1
    if args.json:
        result["population_prior"] = {name: round(float(p), 4) for name, p in zip(lat.RACES, prior, strict=True)}
        result["decoder_provider"] = provider
        result["portrait"] = str(path)
        print(json.dumps(result))
    else:
        print(f"portrait written to {path} (a statistical average of real faces, not a picture of the speaker)")
    return 0


def _segment(args: argparse.Namespace) -> tuple[float, float | None] | None:
    if args.start is None and args.end is None:
        return None
    start = args.start or 0.0
    if start < 0:
        raise ValueError("--start must be 0 or more seconds")
    if args.end is not None and args.end <= start:
        raise ValueError("--end must come after --start")
    return start, args.end


def _analyze(args: argparse.Namespace) -> Any:
    from s2f_desktop.inference.voice_analysis import analyze_file

    start, end = _segment(args) or (0.0, None)
    return analyze_file(args.file, max_seconds=args.max_seconds, start_s=start, end_s=end)


def _write_report(args: argparse.Namespace, prior: np.ndarray) -> int:
    """`--report CASE.pdf`: the case report (PDF + JSON sidecar + PNG), and the portrait at -o as usual."""
    from s2f_desktop.portrait.settings import PortraitSettings
    from s2f_desktop.report.case_report import build_case_report
    from s2f_desktop.report.export import export_case_report

    settings = PortraitSettings(race_prior=tuple(float(p) for p in prior), size=args.size)
    _ensure_gui_application()
    report = build_case_report(args.file, _segment(args), max_seconds=args.max_seconds, settings=settings)
    pdf, sidecar, png = export_case_report(report, args.report)
    output = args.output
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.resolve() != png.resolve():
        output.write_bytes(report.portrait_png)
    if args.json:
        out = report.to_json()
        out["files"] = {"pdf": str(pdf), "json": str(sidecar), "png": str(png), "portrait": str(output)}
        print(json.dumps(out))
    else:
        print(f"portrait written to {output} (a statistical average of real faces, not a picture of the speaker)")
        print(f"case report written to {pdf} (+ {sidecar.name}, {png.name})")
    return 0


def _ensure_gui_application() -> None:
    """QPdfWriter needs a QGuiApplication (fonts): make an offscreen one when none exists and there is no display."""
    import os

    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        global _GUI_APP
        _GUI_APP = QGuiApplication(["s2f"])


_GUI_APP: Any = None  # keeps the offscreen QGuiApplication alive for the process
