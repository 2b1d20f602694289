"""The kiosk's operator configuration: one INI file, read once at start, never written by the app.

`s2f-desktop --kiosk --config PATH`; without --config the defaults below apply (the system's default microphone,
8 s of silence before the next visitor, English texts, the balanced population prior). The commented example
`resources/kiosk.example.ini` documents every key and the hidden operator exit.
Qt-free: the soak run and the tests read the same object.
"""

from __future__ import annotations

import configparser
import json
from dataclasses import dataclass, field
from pathlib import Path

from s2f_desktop.paths import resources_dir
from s2f_desktop.portrait.latent import RACES, balanced_race_prior, race_prior_from_mapping

SECTION = "kiosk"
LANGUAGES = ("en", "de", "fr")
DEFAULT_EXIT_CHORD = "Ctrl+Alt+Shift+Q"


class ConfigError(ValueError):
    """The configuration file cannot be used; the message names the file and the key, for the operator."""


@dataclass(frozen=True)
class KioskConfig:
    device: str = ""  # exact input device name as `s2f devices` lists it; "" = the system's default input
    silence_timeout_s: float = 8.0  # silence after which the portrait is cleared and the attract screen returns
    language: str = "en"  # on-screen texts: resources/texts/kiosk.<language>.json
    population_prior: str = "balanced"  # "balanced", or "White: 2, Black: 1, ..." (weights over the 7 groups)
    retry_interval_s: float = 3.0  # how often an unavailable microphone is tried again
    max_visit_s: float = 300.0  # a visit longer than this starts over (bounds memory under endless chatter)
    exit_chord: str = DEFAULT_EXIT_CHORD  # the hidden operator exit
    fullscreen: bool = True
    hide_cursor: bool = True
    source_path: str | None = field(default=None, compare=False)  # the file it was read from, if any

    @property
    def race_prior(self) -> tuple[float, ...]:
        return tuple(float(x) for x in parse_prior(self.population_prior))

    @property
    def prior_is_balanced(self) -> bool:
        return self.population_prior.strip().lower() == "balanced"


def parse_prior(text: str) -> list[float]:
    """'balanced' or 'Group: weight, Group: weight' -> the seven normalised weights (ValueError if invalid)."""
    text = text.strip()
    if not text or text.lower() == "balanced":
        return [float(x) for x in balanced_race_prior()]
    weights: dict[str, float] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        if ":" not in part:
            raise ValueError(f"expected 'Group: weight' pairs, got {part.strip()!r}")
        name, value = part.split(":", 1)
        try:
            weights[name.strip()] = float(value)
        except ValueError as exc:
            raise ValueError(f"the weight for {name.strip()!r} is not a number: {value.strip()!r}") from exc
    return [float(x) for x in race_prior_from_mapping(weights)]


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "yes", "true", "on"):
        return True
    if lowered in ("0", "no", "false", "off"):
        return False
    raise ValueError(f"expected yes or no, got {value!r}")


def _seconds(value: str, low: float, high: float) -> float:
    number = float(value)
    if not low <= number <= high:
        raise ValueError(f"expected a number of seconds between {low:g} and {high:g}, got {value!r}")
    return number


def load_config(path: str | Path | None = None) -> KioskConfig:
    """Read the operator's file (None: the defaults). Raises ConfigError with a message for the operator."""
    if path is None:
        return KioskConfig()
    path = Path(path)
    parser = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=("#", ";"))
    try:
        with open(path, encoding="utf-8") as handle:
            parser.read_file(handle)
    except OSError as exc:
        raise ConfigError(f"Cannot read the kiosk configuration {path}: {exc.strerror or exc}") from exc
    except configparser.Error as exc:
        raise ConfigError(f"The kiosk configuration {path} is not a valid INI file: {exc}") from exc
    if not parser.has_section(SECTION):
        raise ConfigError(f"The kiosk configuration {path} has no [{SECTION}] section.")
    values = dict(parser.items(SECTION))
    known = {
        "device": str,
        "silence_timeout_s": lambda v: _seconds(v, 1.0, 3600.0),
        "language": str,
        "population_prior": str,
        "retry_interval_s": lambda v: _seconds(v, 0.5, 600.0),
        "max_visit_s": lambda v: _seconds(v, 10.0, 86400.0),
        "exit_chord": str,
        "fullscreen": _bool,
        "hide_cursor": _bool,
    }
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(unknown)}; known keys: {', '.join(known)}.")
    parsed: dict[str, object] = {}
    for key, value in values.items():
        try:
            parsed[key] = known[key](value.strip())  # type: ignore[operator]
        except ValueError as exc:
            raise ConfigError(f"{path}: [{SECTION}] {key}: {exc}") from exc
    config = KioskConfig(**parsed, source_path=str(path))  # type: ignore[arg-type]
    if config.language not in LANGUAGES:
        raise ConfigError(f"{path}: language must be one of {', '.join(LANGUAGES)}, not {config.language!r}.")
    try:
        parse_prior(config.population_prior)
    except ValueError as exc:
        raise ConfigError(
            f"{path}: population_prior: {exc}. Use 'balanced' or weights over: {', '.join(RACES)}."
        ) from exc
    if not config.exit_chord.strip():
        raise ConfigError(f"{path}: exit_chord must not be empty (the operator could not leave the kiosk).")
    return config


def load_texts(language: str) -> dict[str, object]:
    """The on-screen texts in this language; any key missing there falls back to English."""
    folder = resources_dir() / "texts"
    texts: dict[str, object] = json.loads((folder / "kiosk.en.json").read_text(encoding="utf-8"))
    if language != "en":
        texts.update(json.loads((folder / f"kiosk.{language}.json").read_text(encoding="utf-8")))
    return texts


def example_config_path() -> Path:
    return resources_dir() / "kiosk.example.ini"
