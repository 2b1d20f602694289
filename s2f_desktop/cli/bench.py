"""`s2f bench`: run every measurement module and print one table (or one JSON object with --json)."""

from __future__ import annotations

import argparse
import importlib
import json
import sys

# Each module exposes `measure(quick: bool) -> dict[str, object]`; keys are the figures the issues name.
BENCH_MODULES = (
    "s2f_desktop.bench.capture",  # spectrogram_fps, capture_cpu_percent, audio_to_screen_ms
    "s2f_desktop.bench.vad",  # vad_ms_per_second_of_audio, provider
    "s2f_desktop.bench.voice",  # encoder_ms_per_window, file_analysis_realtime_factor
    "s2f_desktop.bench.decoder",  # decoder_ms_per_portrait
    "s2f_desktop.bench.live",  # first_portrait_s, updates_per_s, rss_mb
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--quick", action="store_true", help="shorter runs (noisier figures)")
    parser.add_argument("--only", action="append", default=[], help="run only modules whose name contains this")


def run(args: argparse.Namespace) -> int:
    figures: dict[str, object] = {}
    for module_name in BENCH_MODULES:
        if args.only and not any(part in module_name for part in args.only):
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue  # that stage is not built yet
        print(f"measuring {module_name.rsplit('.', 1)[-1]} ...", file=sys.stderr, flush=True)
        try:
            figures.update(module.measure(quick=args.quick))
        except Exception as exc:  # noqa: BLE001 - one failing stage must not hide the others' figures
            figures[f"{module_name.rsplit('.', 1)[-1]}_error"] = str(exc)
    if args.json:
        print(json.dumps(figures))
    else:
        width = max((len(k) for k in figures), default=10)
        for key, value in figures.items():
            shown = f"{value:.3f}" if isinstance(value, float) else str(value)
            print(f"{key:<{width}}  {shown}")
    return 0
