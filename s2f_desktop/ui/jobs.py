"""Long work for the window, each on its own thread: the display timer polls `progress` and collects `result`.

Nothing here touches widgets; results are plain data. Every job can be cancelled and reports errors as text.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from s2f_desktop.audio.file_source import AudioFileError
from s2f_desktop.inference.vad import SileroVad
from s2f_desktop.inference.voice_analysis import AnalysisCancelled, VoiceAnalysis, analyze_file
from s2f_desktop.pipeline.file_scan import Cancelled, FileScan, scan_file
from s2f_desktop.portrait.engine import PortraitEngine
from s2f_desktop.portrait.latent import sweep
from s2f_desktop.portrait.settings import PortraitSettings
from s2f_desktop.report.case_report import CaseReport, build_case_report
from s2f_desktop.report.export import export_case_report


class Job:
    """A function run on a worker thread with progress (0..1), a cancel flag, and a result or an error."""

    def __init__(self, name: str, work: Callable[[Job], Any]) -> None:
        self.progress = 0.0
        self.result: Any = None
        self.error: str | None = None
        self.cancelled = False
        self.cancel_event = threading.Event()
        self._work = work
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.result = self._work(self)
        except (Cancelled, AnalysisCancelled):
            self.cancelled = True
        except AudioFileError as exc:
            self.error = str(exc)
        except Exception as exc:  # noqa: BLE001 - shown in the window instead of a traceback
            self.error = f"{type(exc).__name__}: {exc}"

    def set_progress(self, value: float) -> None:
        self.progress = value

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def cancel(self) -> None:
        self.cancel_event.set()


@dataclass(frozen=True)
class FileAnalysis:
    scan: FileScan
    report: CaseReport | None  # None when the range holds too little speech


def analyse_recording(path: str, start_s: float, end_s: float | None, settings: PortraitSettings) -> Job:
    """Fast analysis: where the speech is (timeline), then the full case report of that speech."""

    def work(job: Job) -> FileAnalysis:
        scan = scan_file(path, start_s, end_s, vad=SileroVad(), progress=lambda p: job.set_progress(0.3 * p), cancel=job.cancel_event)
        if scan.speech_seconds < 0.5:
            return FileAnalysis(scan, None)
        segment = None if start_s == 0.0 and end_s is None else (start_s, end_s)
        report = build_case_report(
            path, segment, settings=settings, progress=lambda p: job.set_progress(0.3 + 0.7 * p), cancel=job.cancel_event
        )
        return FileAnalysis(scan, report)

    return Job("fast-analysis", work)


def write_report(report: CaseReport, out_pdf: str) -> Job:
    """PDF + JSON sidecar + portrait PNG, off the UI thread."""
    return Job("export-report", lambda job: export_case_report(report, out_pdf))


@dataclass(frozen=True)
class Comparison:
    a: VoiceAnalysis
    b: VoiceAnalysis
    portrait_a: np.ndarray
    portrait_b: np.ndarray
    morph: np.ndarray  # (steps, size, size, 3)


def compare_recordings(engine: PortraitEngine, path_a: str, path_b: str, settings: PortraitSettings) -> Job:
    def work(job: Job) -> Comparison:
        a = analyze_file(path_a, progress=lambda p: job.set_progress(0.45 * p), cancel=job.cancel_event)
        b = analyze_file(path_b, progress=lambda p: job.set_progress(0.45 + 0.45 * p), cancel=job.cancel_event)
        latent_a = engine.latent_for(a.joint, settings)
        latent_b = engine.latent_for(b.joint, settings)
        portrait_a = engine.face.render(latent_a, 256)
        portrait_b = engine.face.render(latent_b, 256)
        morph = engine.face.render_batch(sweep(latent_a, latent_b, 7), 64)
        job.set_progress(1.0)
        return Comparison(a, b, portrait_a, portrait_b, morph)

    return Job("compare", work)
