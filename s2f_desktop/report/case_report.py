"""The case report: everything an investigator needs to document one analysis, Qt-free.

`build_case_report(path, ...)` decodes the recording once, runs the same VAD + speech evidence + attribute model as
`s2f analyze` (the same speech in the same order), records the estimate after 1, 2, 4, 8, 16, 32 ... s of speech and
at the end (the refinement history), renders the final portrait, and gathers the input's size and sha256, the
settings (including the population prior: ethnicity is never inferred from the voice), the model files and their
sha256, the providers that actually ran, the app version and the limits in plain words.

Deterministic: the same file with the same settings on the same machine gives the same numbers and the same PNG
bytes. Only `created_utc` differs between runs (see `CaseReport.to_json(include_timestamp=False)`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from s2f_desktop import __version__
from s2f_desktop.audio.file_source import AudioFileError, probe
from s2f_desktop.inference.session import file_sha256
from s2f_desktop.inference.speech_evidence import SpeechEvidence
from s2f_desktop.inference.voice_analysis import (
    MIN_SPEECH_SECONDS,
    SAMPLE_RATE,
    AnalysisCancelled,
    NoSpeechError,
    VoiceAnalyzer,
    default_analyzer,
)
from s2f_desktop.inference.voice_attributes import AGE_BINS, GENDERS
from s2f_desktop.paths import resources_dir
from s2f_desktop.portrait.engine import HistoryPoint, PortraitEngine
from s2f_desktop.portrait.face_model import FaceModel, encode_png, load_face_model
from s2f_desktop.portrait.settings import PortraitSettings, apply_overrides

REPORT_FORMAT = 1
CAVEAT_SENTENCE = (
    "The portrait is a statistical average of many real faces whose voices sound similar — "
    "not a picture of the speaker."
)
ETHNICITY_NOTE = "Ethnicity and skin tone are NOT inferred from the voice: they come only from the population prior stated here."
FIRST_CHECKPOINT_S = 1.0  # history after 1, 2, 4, 8, ... seconds of speech
CAVEATS_FILE = "texts/caveats.md"

__all__ = [
    "CAVEAT_SENTENCE",
    "CaseReport",
    "InputInfo",
    "build_case_report",
    "caveats_text",
    "AnalysisCancelled",
    "NoSpeechError",
    "AudioFileError",
]


@dataclass(frozen=True)
class InputInfo:
    name: str
    path: str
    size_bytes: int
    sha256: str
    modified_utc: str
    duration_s: float
    sample_rate: int
    channels: int
    format: str

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "path": self.path,
            "size_bytes": self.size_bytes,
            "sha256": self.sha256,
            "modified_utc": self.modified_utc,
            "duration_s": round(self.duration_s, 3),
            "sample_rate": self.sample_rate,
            "channels": self.channels,
            "format": self.format,
        }


@dataclass
class CaseReport:
    input: InputInfo
    segment: tuple[float, float] | None  # (start_s, end_s) analysed, None = the whole recording
    max_seconds: float | None
    analysed_seconds: float
    speech_seconds: float
    encoder_windows: int
    settings: PortraitSettings
    p_male: float
    p_child: float
    age_years: float
    age_bins: dict[str, float]
    joint: np.ndarray  # (2, 9) [male, female] x AGE_BINS, from the voice
    portrait_joint: (
        np.ndarray
    )  # (2, 9) the table the portrait was rendered from (after any Explore overrides)
    history: list[HistoryPoint]
    models: dict[str, str]  # model file name -> sha256
    providers: dict[str, str]  # model file name -> ONNX Runtime provider that actually ran it
    portrait_png: bytes = field(repr=False)
    app_version: str = __version__
    created_utc: str = ""
    caveats: str = field(default="", repr=False)

    @property
    def portrait_sha256(self) -> str:
        return hashlib.sha256(self.portrait_png).hexdigest()

    @property
    def p_female(self) -> float:
        return 1.0 - self.p_male

    def to_json(self, include_timestamp: bool = True) -> dict[str, Any]:
        """The JSON sidecar. Numbers are rounded to 6 decimals (the PDF shows the same values, fewer digits)."""
        settings = dict(self.settings.to_json())
        settings["population_prior_description"] = self.settings.prior_description()
        settings["ethnicity_inferred_from_voice"] = False
        settings["ethnicity_source"] = "stated population prior (a setting), never the voice"
        obj: dict[str, Any] = {
            "report": "s2f-desktop case report",
            "format": REPORT_FORMAT,
            "app": {"name": "s2f-desktop", "version": self.app_version},
        }
        if include_timestamp:
            obj["created_utc"] = self.created_utc
        obj.update(
            {
                "caveat": CAVEAT_SENTENCE,
                "input": self.input.to_json(),
                "segment": None
                if self.segment is None
                else {"start_s": round(self.segment[0], 3), "end_s": round(self.segment[1], 3)},
                "max_seconds": self.max_seconds,
                "analysis": {
                    "analysed_seconds": round(self.analysed_seconds, 3),
                    "speech_seconds": round(self.speech_seconds, 3),
                    "encoder_windows": self.encoder_windows,
                },
                "posteriors": {
                    "p_male": _r(self.p_male),
                    "p_female": _r(self.p_female),
                    "p_child": _r(self.p_child),
                    "age_years": round(self.age_years, 2),
                    "age_bins": {k: _r(v) for k, v in self.age_bins.items()},
                    "joint": _joint_json(self.joint),
                },
                "refinement": [
                    {
                        "speech_seconds": round(p.speech_seconds, 3),
                        "p_male": _r(p.p_male),
                        "p_child": _r(p.p_child),
                        "age_years": round(p.age_years, 2),
                    }
                    for p in self.history
                ],
                "settings": settings,
                "portrait": {
                    "size": self.settings.size,
                    "png_sha256": self.portrait_sha256,
                    "rendered_from_joint": _joint_json(self.portrait_joint),
                },
                "models": dict(self.models),
                "providers": dict(self.providers),
                "limits": self.caveats,
            }
        )
        return obj


def _r(value: float) -> float:
    return round(float(value), 6)


def _joint_json(joint: np.ndarray) -> dict[str, dict[str, float]]:
    return {g: {b: _r(joint[i, j]) for j, b in enumerate(AGE_BINS)} for i, g in enumerate(GENDERS)}


def caveats_text() -> str:
    """The limits and caveats (resources/texts/caveats.md), shared with the UI."""
    path = resources_dir() / CAVEATS_FILE
    try:
        return path.read_text(encoding="utf-8")
    except OSError:  # a broken install must still print the essentials
        return f"# Limits\n\n{CAVEAT_SENTENCE}\n\n{ETHNICITY_NOTE}\n"


_face: FaceModel | None = None
_face_lock = threading.Lock()


def _face_model() -> FaceModel:
    global _face
    with _face_lock:
        if _face is None:
            _face = load_face_model(threads=1)
        return _face


def _utc(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def build_case_report(
    path: str | Path,
    segment: tuple[float, float | None] | None = None,
    max_seconds: float | None = None,
    settings: PortraitSettings | None = None,
    progress: Callable[[float], None] | None = None,
    cancel: Callable[[], bool] | threading.Event | None = None,
    analyzer: VoiceAnalyzer | None = None,
) -> CaseReport:
    """Analyse `path` (or the `segment` (start_s, end_s) of it; end None = to the end) and build the report.

    Raises AudioFileError (missing/unreadable/damaged file, bad segment), NoSpeechError (no speech),
    AnalysisCancelled (cancel was set), ModelError (a shipped model is missing). Progress goes 0 -> 1.
    Safe to call from a worker thread; never writes anything and never touches the network.
    """
    settings = settings or PortraitSettings()
    path = Path(path)
    info = probe(path)
    start_s, end_s = _check_segment(segment, info.duration_s, path.name)
    if max_seconds is not None and max_seconds <= 0:
        raise ValueError("max_seconds must be positive")
    before = path.stat()
    sha = file_sha256(path)
    analyzer = analyzer or default_analyzer()

    evidence, history, analysed = _run_evidence(
        analyzer, path, start_s, end_s, max_seconds, progress, cancel
    )
    speech_seconds = evidence.speech_seconds
    embedding = evidence.embedding()
    if embedding is None or speech_seconds < MIN_SPEECH_SECONDS:
        where = "" if segment is None else f" between {start_s:.1f} s and {(end_s or info.duration_s):.1f} s"
        raise NoSpeechError(
            f"'{path.name}' contains no detectable speech{where} ({speech_seconds:.1f} s found)."
        )
    estimate = analyzer.attributes.estimate(embedding, speech_seconds)
    if not history or history[-1].speech_seconds != estimate.speech_seconds:
        history.append(
            HistoryPoint(estimate.speech_seconds, estimate.p_male, estimate.age_years, estimate.p_child)
        )

    face = _face_model()
    portrait_joint = apply_overrides(estimate.joint, settings)
    image = face.render(PortraitEngine.latent_for(estimate.joint, settings), settings.size)
    png = encode_png(image)

    after = path.stat()
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        raise AudioFileError(f"'{path.name}' changed while it was being analysed; analyse it again.")
    models = analyzer.model_hashes()
    models[face.loaded.path.name] = file_sha256(face.loaded.path)
    meta = face.loaded.path.with_suffix(".json")
    if meta.is_file():
        models[meta.name] = file_sha256(meta)
    providers = {
        "silero_vad.onnx": analyzer.vad.provider,
        "voice_encoder.onnx": analyzer.encoder.provider,
        "voice_to_face.onnx": analyzer.attributes.provider,
        face.loaded.path.name: face.provider,
    }
    if progress is not None:
        progress(1.0)
    return CaseReport(
        input=InputInfo(
            name=path.name,
            path=str(path.resolve()),
            size_bytes=before.st_size,
            sha256=sha,
            modified_utc=_utc(before.st_mtime),
            duration_s=info.duration_s,
            sample_rate=info.sample_rate,
            channels=info.channels,
            format=info.format,
        ),
        segment=None if segment is None else (start_s, info.duration_s if end_s is None else end_s),
        max_seconds=max_seconds,
        analysed_seconds=analysed,
        speech_seconds=speech_seconds,
        encoder_windows=evidence.window_count,
        settings=settings,
        p_male=estimate.p_male,
        p_child=estimate.p_child,
        age_years=estimate.age_years,
        age_bins=dict(estimate.age_bins),
        joint=np.asarray(estimate.joint, dtype=np.float64),
        portrait_joint=portrait_joint,
        history=history,
        models=dict(sorted(models.items())),
        providers=dict(sorted(providers.items())),
        portrait_png=png,
        created_utc=_utc(dt.datetime.now(dt.UTC).timestamp()),
        caveats=caveats_text(),
    )


def _check_segment(
    segment: tuple[float, float | None] | None, duration_s: float, name: str
) -> tuple[float, float | None]:
    if segment is None:
        return 0.0, None
    start_s, end_s = float(segment[0] or 0.0), segment[1]
    if start_s < 0 or not np.isfinite(start_s):
        raise AudioFileError(f"the segment start ({start_s} s) must be 0 or more.")
    if start_s >= duration_s:
        raise AudioFileError(
            f"the segment starts at {start_s:.1f} s but '{name}' lasts only {duration_s:.1f} s."
        )
    if end_s is not None:
        end_s = min(float(end_s), duration_s)
        if end_s <= start_s:
            raise AudioFileError(
                f"the segment end ({end_s:.1f} s) must come after its start ({start_s:.1f} s)."
            )
    return start_s, end_s


def _run_evidence(
    analyzer: VoiceAnalyzer,
    path: Path,
    start_s: float,
    end_s: float | None,
    max_seconds: float | None,
    progress: Callable[[float], None] | None,
    cancel: Callable[[], bool] | threading.Event | None,
) -> tuple[SpeechEvidence, list[HistoryPoint], float]:
    """The speech `VoiceAnalyzer.analyze` uses (the same stream, order and limit), fed into a SpeechEvidence, with an estimate each time the speech reaches 1, 2, 4, 8, ... seconds."""
    evidence = SpeechEvidence(analyzer.encoder)
    history: list[HistoryPoint] = []
    next_checkpoint = int(FIRST_CHECKPOINT_S * SAMPLE_RATE)

    def checkpoint() -> None:
        embedding = evidence.embedding()
        if embedding is None:
            return
        est = analyzer.attributes.estimate(embedding, evidence.speech_seconds)
        history.append(HistoryPoint(est.speech_seconds, est.p_male, est.age_years, est.p_child))

    stream = analyzer.speech(
        path, max_seconds, start_s, end_s, None if progress is None else (lambda p: progress(0.95 * p)), cancel
    )
    for part in stream:
        speech = part
        while len(speech):
            need = next_checkpoint - evidence.speech_samples
            if need > len(speech):
                evidence.add_speech(speech)
                break
            evidence.add_speech(speech[:need])
            speech = speech[need:]
            checkpoint()
            next_checkpoint *= 2
    analysed = stream.analysed_samples
    return evidence, history, analysed / SAMPLE_RATE
