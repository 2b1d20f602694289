"""`s2f`: the command line. Each command lives in its own module, imported only when it runs.

A command module exposes `configure(parser: argparse.ArgumentParser) -> None` and `run(args) -> int`.
Heavy imports (onnxruntime, torch for training) stay inside the module, so `s2f --help` is instant.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# command words -> (module, one-line help). Two words make a group (`s2f train voice`).
COMMANDS: dict[tuple[str, ...], tuple[str, str]] = {
    ("analyze",): ("s2f_desktop.cli.analyze", "estimate gender and age from recordings (JSON with --json)"),
    ("portrait",): ("s2f_desktop.cli.portrait", "render the portrait for a recording (or for given attributes)"),
    ("bench",): ("s2f_desktop.cli.bench", "measure speed and memory (prints a table, or JSON with --json)"),
    ("soak",): ("s2f_desktop.cli.soak", "drive the live pipeline for hours at accelerated speed; report RSS"),
    ("devices",): ("s2f_desktop.cli.devices", "list audio input devices"),
    ("models", "import-vad"): ("s2f_desktop.training.import_vad", "copy silero VAD's ONNX file into models/"),
    ("models", "export-encoder"): ("s2f_desktop.training.export_encoder", "export resemblyzer's encoder to ONNX"),
    ("train", "voice"): ("s2f_desktop.training.train_voice", "train the voice-to-attribute model"),
    ("train", "faces"): ("s2f_desktop.training.train_faces", "build the face model and its decoder"),
    ("eval", "voice"): ("s2f_desktop.training.eval_voice", "cross-validate the voice models by speaker"),
    ("eval", "faces"): ("s2f_desktop.training.eval_faces", "evaluate the face decoder with the face classifier"),
}


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="s2f", description="s2f-desktop command line")
    top = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    groups: dict[str, argparse._SubParsersAction] = {}
    for words, (module_name, help_text) in COMMANDS.items():
        if len(words) == 1:
            sub = top.add_parser(words[0], help=help_text, description=help_text)
        else:
            if words[0] not in groups:
                group = top.add_parser(words[0], help=f"{words[0]} commands")
                groups[words[0]] = group.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
            sub = groups[words[0]].add_parser(words[1], help=help_text, description=help_text)
        sub.set_defaults(_module=module_name)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _build_parser()
    # First pass: find which command was named; then let its module add its own options and parse again.
    words = [a for a in argv if not a.startswith("-")][:2]
    module_name = None
    for key, (name, _help) in COMMANDS.items():
        if tuple(words[: len(key)]) == key:
            module_name = name
            break
    if module_name is None:
        parser.parse_args(argv)  # prints usage / help and exits
        return 2
    module = importlib.import_module(module_name)
    leaf = _find_leaf_parser(parser, words[: len(key)])
    module.configure(leaf)
    args = parser.parse_args(argv)
    return int(module.run(args) or 0)


def _find_leaf_parser(parser: argparse.ArgumentParser, words: list[str]) -> argparse.ArgumentParser:
    current = parser
    for word in words:
        action = next(a for a in current._actions if isinstance(a, argparse._SubParsersAction))
        current = action.choices[word]
    return current


if __name__ == "__main__":
    raise SystemExit(main())
