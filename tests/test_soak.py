"""`s2f soak`: a short run of the real pipeline + portrait worker with simulated visitors completes, flat RSS."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import ROOT


def run_soak(*args: str, timeout: float = 300) -> tuple[int, list[dict], dict]:
    result = subprocess.run(
        [sys.executable, "-m", "s2f_desktop.cli.main", "soak", "--json", *args],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    samples = [line for line in lines if "summary" not in line]
    summaries = [line["summary"] for line in lines if "summary" in line]
    assert summaries, result.stdout[-2000:] + result.stderr[-2000:]
    return result.returncode, samples, summaries[0]


def test_short_soak_from_files_is_flat(artifacts_dir) -> None:
    # 0.03 h = 108 s of kiosk life at 20x: visitors of 8, 20 and 40 s, each followed by the 2 s timeout and more.
    code, samples, summary = run_soak("--hours", "0.03", "--speed", "20", "--silence-timeout", "2", "--interval", "0.5")
    (artifacts_dir / "soak_short.json").write_text(json.dumps({"samples": samples, "summary": summary}, indent=1))
    assert code == 0, summary["problems"]
    assert summary["passed"] and summary["hours_simulated"] >= 0.03
    assert summary["visits"] >= 3 and summary["resets"] >= 3  # every visitor was forgotten after the silence
    assert summary["portraits_rendered"] > 0 and summary["estimates"] > 0
    assert summary["worker_error"] is None
    assert len(samples) >= 3 and all(s["rss_mb"] > 0 for s in samples)
    assert summary["rss_peak_mb"] < 600
    assert summary["growth_mb"] < 40


@pytest.mark.live_audio
def test_short_soak_through_the_virtual_microphone(virtual_mic: str) -> None:
    code, samples, summary = run_soak("--source", "mic", "--hours", "0.005", "--silence-timeout", "2", "--interval", "2")
    assert code == 0, summary["problems"]
    assert "virtual microphone" in summary["source"]
    assert summary["hours_simulated"] >= 0.005 and summary["visits"] >= 1
    assert summary["portraits_rendered"] > 0
    assert len(samples) >= 3


def test_short_soak_of_the_kiosk_window_is_flat() -> None:
    # The real KioskWindow (offscreen) hears the visitors: Qt pixmaps, the spectrogram and screen changes included.
    code, samples, summary = run_soak(
        "--ui", "--hours", "0.03", "--speed", "10", "--silence-timeout", "2", "--interval", "1"
    )
    assert code == 0, summary["problems"]
    assert "KioskWindow" in summary["source"]
    assert summary["resets"] >= 3 and summary["portraits_rendered"] > 0
    assert summary["growth_mb"] < 40 and summary["rss_peak_mb"] < 600
