"""`s2f analyze FILE [FILE ...] [--json] [--max-seconds S]`: gender and age estimates from recordings.

With --json: one JSON object per input file, one per line, in input order, with at least "file", "speech_seconds",
"p_male", "age_years", "age_bins" (nine labels -> probability), "provider" and "models" (file -> sha256). A file
that cannot be analysed (unreadable, no speech) gives {"file": ..., "error": "..."} and the command goes on; the
exit status is then 1. Without --json: a readable table. Ethnicity is never estimated (no labelled voice data).
"""

from __future__ import annotations

import argparse
import json
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="recordings (any format libsndfile reads)")
    parser.add_argument("--json", action="store_true", help="one JSON object per file, one per line")
    parser.add_argument("--max-seconds", type=float, default=None, metavar="S",
                        help="use only the first S seconds of detected speech")
    parser.add_argument("--threads", type=int, default=1,
                        help="CPU threads per model (decoding+VAD and the encoder already run in parallel)")


def run(args: argparse.Namespace) -> int:
    from s2f_desktop.audio.file_source import AudioFileError
    from s2f_desktop.inference.session import ModelError
    from s2f_desktop.inference.voice_analysis import VoiceAnalyzer

    if args.max_seconds is not None and args.max_seconds <= 0:
        print("--max-seconds must be positive", file=sys.stderr)
        return 2
    try:
        analyzer = VoiceAnalyzer(threads=args.threads)
    except ModelError as exc:
        for name in args.files:
            _emit(args, {"file": name, "error": str(exc)})
        return 1
    failures = 0
    rows = []
    for name in args.files:
        try:
            result = analyzer.analyze(name, max_seconds=args.max_seconds).to_json()
        except (AudioFileError, OSError, ValueError) as exc:
            failures += 1
            result = {"file": name, "error": str(exc)}
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch; say what happened
            failures += 1
            result = {"file": name, "error": f"analysis failed: {type(exc).__name__}: {exc}"}
        if args.json:
            _emit(args, result)
        else:
            rows.append(result)
    if not args.json:
        _print_table(rows)
    return 1 if failures else 0


def _emit(args: argparse.Namespace, obj: dict) -> None:
    if args.json:
        print(json.dumps(obj, ensure_ascii=False), flush=True)
    else:
        print(f"{obj['file']}: {obj['error']}")


def _print_table(rows: list[dict]) -> None:
    header = f"{'file':<40} {'speech s':>9} {'P(male)':>8} {'age':>6}  most likely age bins"
    print(header)
    print("-" * len(header))
    for row in rows:
        name = str(row["file"])
        shown = name if len(name) <= 40 else "..." + name[-37:]
        if "error" in row:
            print(f"{shown:<40} error: {row['error']}")
            continue
        bins = sorted(row["age_bins"].items(), key=lambda kv: -kv[1])[:3]
        top = ", ".join(f"{label} {p:.0%}" for label, p in bins)
        print(f"{shown:<40} {row['speech_seconds']:>9.1f} {row['p_male']:>8.2f} {row['age_years']:>6.1f}  {top}")
    if rows and "provider" in next((r for r in rows if "error" not in r), {}):
        first = next(r for r in rows if "error" not in r)
        print(f"\nONNX Runtime provider: {first['provider']}. Estimates are statistical, not identification; "
              "ethnicity is not estimated.")
