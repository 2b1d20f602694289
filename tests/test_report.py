"""Case reports on real recordings: PDF text, JSON sidecar, determinism, input untouched, no network, segments, errors.

Needs `pdftotext` (poppler-utils, installed by the README's test command). No timing assertions.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import socket
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from s2f_desktop.cli.main import main
from s2f_desktop.inference.voice_analysis import AnalysisCancelled, VoiceAnalyzer, analyze_file
from s2f_desktop.inference.voice_attributes import AGE_BINS
from s2f_desktop.portrait.latent import RACES
from s2f_desktop.portrait.settings import PortraitSettings
from s2f_desktop.report.case_report import CAVEAT_SENTENCE, build_case_report
from s2f_desktop.report.export import export_case_report
from tests.conftest import shared_voice_file

MODEL_FILES = {
    "silero_vad.onnx",
    "voice_encoder.onnx",
    "voice_to_face.onnx",
    "face_decoder.onnx",
    "face_decoder.json",
}
VOLATILE = ("created_utc", "files")  # the only keys allowed to differ between two runs


def _norm(text: str) -> str:
    """pdftotext output -> one line: ligatures unfolded (NFKC), hyphen-free whitespace collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (poppler-utils; the README's test command installs it)")
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return _norm(result.stdout)


def stable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in VOLATILE}


def check_sidecar(data: dict[str, Any], recording: Path) -> None:
    raw = recording.read_bytes()
    assert data["input"]["name"] == recording.name
    assert data["input"]["sha256"] == hashlib.sha256(raw).hexdigest()
    assert data["input"]["size_bytes"] == len(raw)
    assert data["caveat"] == CAVEAT_SENTENCE
    assert data["app"]["version"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["created_utc"])
    post = data["posteriors"]
    assert 0.0 <= post["p_male"] <= 1.0 and post["p_female"] == pytest.approx(1 - post["p_male"], abs=2e-6)
    assert 0.0 <= post["p_child"] <= 1.0
    assert 0 < post["age_years"] < 100
    assert list(post["age_bins"]) == list(AGE_BINS)
    assert sum(post["age_bins"].values()) == pytest.approx(1.0, abs=1e-4)
    joint = np.array([[post["joint"][g][b] for b in AGE_BINS] for g in ("male", "female")])
    assert joint.sum() == pytest.approx(1.0, abs=1e-4)
    assert joint[0].sum() == pytest.approx(post["p_male"], abs=1e-4)
    settings = data["settings"]
    assert list(settings["population_prior"]) == list(RACES)
    assert settings["ethnicity_inferred_from_voice"] is False
    assert set(data["models"]) == MODEL_FILES
    assert all(re.fullmatch(r"[0-9a-f]{64}", sha) for sha in data["models"].values())
    assert set(data["providers"]) == MODEL_FILES - {"face_decoder.json"}
    assert all(p.endswith("ExecutionProvider") for p in data["providers"].values())
    speech = data["analysis"]["speech_seconds"]
    history = data["refinement"]
    seconds = [p["speech_seconds"] for p in history]
    expected = [2.0**k for k in range(10) if 2.0**k < speech] + [speech]
    assert seconds == pytest.approx(expected, abs=1e-3)
    assert history[-1]["p_male"] == post["p_male"] and history[-1]["age_years"] == post["age_years"]
    assert "94%" in data["limits"] and "71%" in data["limits"] and "population prior" in data["limits"]


def check_pdf(pdf: Path, data: dict[str, Any]) -> str:
    text = pdf_text(pdf)
    assert _norm(CAVEAT_SENTENCE) in text
    assert data["input"]["sha256"] in text
    post = data["posteriors"]
    assert f"P(male) {post['p_male']:.4f}" in text
    assert f"P(child, under 13) {post['p_child']:.4f}" in text
    assert f"Estimated age {post['age_years']:.2f} years (posterior median)" in text
    assert f"Speech used {data['analysis']['speech_seconds']:.3f} s" in text
    for row in data["refinement"]:
        assert (
            f"{row['speech_seconds']:.3f} {row['p_male']:.4f} {row['p_child']:.4f} {row['age_years']:.2f}"
            in text
        )
    for name, sha in data["models"].items():
        assert name in text and sha in text
    assert "not evidence of identity" in text
    assert "Ethnicity and skin tone are NOT inferred from the voice" in text
    return text


@pytest.fixture()
def recording(speech_wav: Path, tmp_path: Path) -> Path:
    """A private copy of the espeak-ng recording (its bytes and mtime are checked afterwards)."""
    target = tmp_path / "evidence item 7.wav"
    shutil.copy2(speech_wav, target)
    return target


def test_report_pdf_json_png(recording: Path, tmp_path: Path, qapp: Any) -> None:
    progress: list[float] = []
    report = build_case_report(recording, progress=progress.append)
    assert progress and progress[-1] == 1.0 and progress == sorted(progress)
    pdf, sidecar, png = export_case_report(report, tmp_path / "out" / "case-7.pdf")
    assert (pdf.name, sidecar.name, png.name) == ("case-7.pdf", "case-7.json", "case-7.png")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert png.read_bytes() == report.portrait_png and png.read_bytes().startswith(b"\x89PNG")
    data = json.loads(sidecar.read_text(encoding="utf-8"))
    check_sidecar(data, recording)
    assert data["portrait"]["png_sha256"] == hashlib.sha256(png.read_bytes()).hexdigest()
    assert data["files"] == {"pdf": pdf.name, "json": sidecar.name, "png": png.name}
    assert data["segment"] is None
    check_pdf(pdf, data)
    assert not list(pdf.parent.glob("*.part"))
    # the same numbers as `s2f analyze` (same speech; encoder batches differ, hence the tolerance)
    analysis = analyze_file(recording).to_json()
    assert data["analysis"]["speech_seconds"] == analysis["speech_seconds"]
    assert data["posteriors"]["p_male"] == pytest.approx(analysis["p_male"], abs=1e-5)
    assert data["posteriors"]["age_years"] == pytest.approx(analysis["age_years"], abs=0.02)
    assert data["models"].items() >= analysis["models"].items()  # type: ignore[operator]


def test_twice_identical_and_input_untouched(recording: Path, tmp_path: Path, qapp: Any) -> None:
    before = (recording.read_bytes(), recording.stat().st_mtime_ns)
    settings = PortraitSettings(race_prior=(3.0 / 4, 1.0 / 4, 0, 0, 0, 0, 0))
    first = build_case_report(recording, settings=settings)
    second = build_case_report(recording, settings=settings, analyzer=VoiceAnalyzer())  # fresh sessions
    paths_a = export_case_report(first, tmp_path / "a" / "report.pdf")
    paths_b = export_case_report(second, tmp_path / "b" / "report.pdf")
    a = json.loads(paths_a[1].read_text(encoding="utf-8"))
    b = json.loads(paths_b[1].read_text(encoding="utf-8"))
    assert stable(a) == stable(b)
    assert paths_a[2].read_bytes() == paths_b[2].read_bytes()
    assert first.portrait_png == second.portrait_png
    assert (
        a["settings"]["population_prior"]["White"] == 0.75
        and a["settings"]["population_prior"]["Indian"] == 0
    )
    assert "White 75%, Black 25%" in pdf_text(paths_a[0])
    assert (recording.read_bytes(), recording.stat().st_mtime_ns) == before


def test_cli_report_makes_no_network_attempt(
    recording: Path,
    tmp_path: Path,
    qapp: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    attempts: list[str] = []

    def refuse(name: str) -> Any:
        def blocked(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{name}{args[1:] if name.startswith('socket.socket') else args}")
            raise OSError(f"network use is not allowed in this test ({name})")

        return blocked

    monkeypatch.setattr(socket.socket, "__init__", refuse("socket.socket.__init__"))
    monkeypatch.setattr(socket.socket, "connect", refuse("socket.socket.connect"))
    monkeypatch.setattr(socket, "create_connection", refuse("socket.create_connection"))
    before = (recording.read_bytes(), recording.stat().st_mtime_ns)
    out = tmp_path / "cli"
    code = main(
        [
            "portrait",
            str(recording),
            "-o",
            str(out / "portrait.png"),
            "--report",
            str(out / "case.pdf"),
            "--prior",
            "White=1,Black=1,East Asian=1,Southeast Asian=1,Indian=1,Middle Eastern=1,Latino_Hispanic=1",
        ]
    )
    monkeypatch.undo()
    assert attempts == []
    assert code == 0, capsys.readouterr().err
    assert "case report written" in capsys.readouterr().out
    assert (out / "portrait.png").read_bytes() == (out / "case.png").read_bytes()
    data = json.loads((out / "case.json").read_text(encoding="utf-8"))
    check_sidecar(data, recording)
    assert (
        data["settings"]["population_prior_description"] == "balanced over all seven groups of the face model"
    )
    check_pdf(out / "case.pdf", data)
    assert (recording.read_bytes(), recording.stat().st_mtime_ns) == before


def test_segment_limits_the_analysis(
    recording: Path, tmp_path: Path, qapp: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    whole = build_case_report(recording)
    part = build_case_report(recording, segment=(1.5, 3.5))
    assert part.segment == (1.5, 3.5)
    assert part.analysed_seconds == pytest.approx(2.0, abs=0.05)
    assert 0.5 <= part.speech_seconds <= 2.05 < whole.speech_seconds
    assert [p.speech_seconds for p in part.history][:1] == [1.0]
    assert part.to_json()["segment"] == {"start_s": 1.5, "end_s": 3.5}
    limited = build_case_report(recording, max_seconds=2.5)
    assert limited.speech_seconds == pytest.approx(2.5, abs=1e-3) and limited.to_json()["max_seconds"] == 2.5
    # the CLI's --start/--end: the segment in the JSON and in the PDF
    out = tmp_path / "seg"
    code = main(
        [
            "portrait",
            str(recording),
            "-o",
            str(out / "p.png"),
            "--report",
            str(out / "seg.pdf"),
            "--start",
            "1.5",
            "--end",
            "3.5",
        ]
    )
    assert code == 0, capsys.readouterr().err
    data = json.loads((out / "seg.json").read_text(encoding="utf-8"))
    assert data["segment"] == {"start_s": 1.5, "end_s": 3.5}
    assert data["analysis"]["speech_seconds"] == round(part.speech_seconds, 3)
    assert "1.500 s to 3.500 s" in pdf_text(out / "seg.pdf")
    # --start/--end also limit a plain portrait's analysis
    code = main(
        ["portrait", str(recording), "-o", str(out / "plain.png"), "--start", "1.5", "--end", "3.5", "--json"]
    )
    assert code == 0
    plain = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert plain["speech_seconds"] == round(part.speech_seconds, 3)


def test_unusable_inputs_fail_clearly(
    recording: Path, tmp_path: Path, qapp: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really audio")
    silent = tmp_path / "silence.wav"
    sf.write(silent, np.zeros(16000 * 3, np.float32), 16000)
    out = tmp_path / "out"
    cases = [
        (broken, [], "could not be read as audio"),
        (tmp_path / "missing.wav", [], "does not exist"),
        (silent, [], "no detectable speech"),
        (recording, ["--start", "100"], "lasts only"),
        (recording, ["--start", "3", "--end", "2"], "--end must come after --start"),
    ]
    for path, extra, message in cases:
        code = main(["portrait", str(path), "-o", str(out / "p.png"), "--report", str(out / "r.pdf"), *extra])
        err = capsys.readouterr().err
        assert code != 0, path
        assert message in err, err
        assert not (out / "r.pdf").exists() and not (out / "r.json").exists()
    # the recording itself is never overwritten
    before = (recording.read_bytes(), recording.stat().st_mtime_ns)
    code = main(["portrait", str(recording), "-o", str(recording), "--report", str(out / "r.pdf")])
    assert code != 0 and "refusing to overwrite" in capsys.readouterr().err
    assert (recording.read_bytes(), recording.stat().st_mtime_ns) == before
    # an analysis can be cancelled (the window's Cancel button)
    with pytest.raises(AnalysisCancelled):
        build_case_report(recording, cancel=lambda: True)


def test_refinement_plot_draws(qapp: Any) -> None:
    from PySide6.QtGui import QColor

    from s2f_desktop.portrait.engine import HistoryPoint
    from s2f_desktop.report.plot import refinement_plot

    history = [HistoryPoint(s, 0.5 + 0.04 * i, 30 + i, 0.1) for i, s in enumerate([1, 2, 4, 8, 11.5])]
    for points in (history, history[:1], []):
        image = refinement_plot(points, 800, 320)
        assert (image.width(), image.height()) == (800, 320)
        colours = {image.pixelColor(x, y).name() for x in range(0, 800, 7) for y in range(0, 320, 7)}
        assert QColor(255, 255, 255).name() in colours and len(colours) > 3


@pytest.mark.parametrize(
    ("corpus", "gender", "min_age", "max_age"),
    [("commonvoice", "female", 40, 89), ("speechocean762", "male", 6, 11)],
)
def test_real_corpus_recording(
    corpus: str, gender: str, min_age: int, max_age: int, tmp_path: Path, qapp: Any
) -> None:
    source = shared_voice_file(corpus, gender, min_age, max_age)
    before = (hashlib.sha256(source.read_bytes()).hexdigest(), source.stat().st_mtime_ns)
    report = build_case_report(source)
    pdf, sidecar, _png = export_case_report(report, tmp_path / f"{corpus}.pdf")
    data = json.loads(sidecar.read_text(encoding="utf-8"))
    check_sidecar(data, source)
    check_pdf(pdf, data)
    assert (hashlib.sha256(source.read_bytes()).hexdigest(), source.stat().st_mtime_ns) == before


def test_export_on_a_worker_thread(recording: Path, tmp_path: Path, qapp: Any, qtlog: Any) -> None:
    """The window builds and exports on a plain worker thread: same files, no Qt warnings."""
    import threading

    results: dict[str, Any] = {}

    def work() -> None:
        try:
            report = build_case_report(recording)
            results["paths"] = export_case_report(report, tmp_path / "thread" / "case.pdf")
        except BaseException as exc:  # noqa: BLE001 - re-raised below on the test thread
            results["error"] = exc

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    if "error" in results:
        raise results["error"]
    pdf, sidecar, _png = results["paths"]
    check_pdf(pdf, json.loads(sidecar.read_text(encoding="utf-8")))
    assert [r.message for r in qtlog.records if "Timer" in r.message or "thread" in r.message] == []
