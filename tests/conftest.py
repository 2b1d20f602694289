"""Shared test set-up: offscreen Qt, a private settings file, the virtual microphone, generated real speech."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

# Qt must be told before any QApplication exists; settings go to a throw-away folder.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="s2f-test-config-")

ROOT = Path(__file__).resolve().parents[1]
SHARED_VOICES = ROOT.parent / "shared" / "data" / "voices"
ARTIFACTS = ROOT / "artifacts" / "tests"
VIRTUAL_MIC = ROOT / "installer" / "virtual-mic.sh"


@pytest.fixture(scope="session", autouse=True)
def _pyqtgraph_row_major() -> None:
    import pyqtgraph as pg

    pg.setConfigOptions(imageAxisOrder="row-major", antialias=False)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def shared_voice_file(corpus: str, gender: str, min_age: int = 0, max_age: int = 200) -> Path:
    """A real recording from ../shared/data/voices, or a skip with the reason when the data is absent."""
    manifest = SHARED_VOICES / corpus / "manifest.csv"
    if not manifest.is_file():
        pytest.skip(f"../shared/data/voices/{corpus} is not present on this machine")
    import csv

    with open(manifest, newline="", encoding="utf-8") as handle:
        rows = [
            r
            for r in csv.DictReader(handle)
            if r["gender"] == gender and min_age <= float(r["age"]) <= max_age and float(r["duration_s"]) > 3.0
        ]
    rows.sort(key=lambda r: (-float(r["duration_s"]), r["path"]))
    return SHARED_VOICES / corpus / rows[0]["path"]


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real synthetic speech made by espeak-ng for this run, with 1.5 s of silence before and after."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (the README's test command installs it)")
    folder = tmp_path_factory.mktemp("speech")
    raw = folder / "raw.wav"
    text = (
        "Good evening. My name is Alex, and I am reading this sentence aloud so that the microphone "
        "can hear a real voice speaking for several seconds."
    )
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(raw), text], check=True)
    import soundfile as sf

    audio, rate = sf.read(raw, dtype="float32")
    silence = np.zeros(int(1.5 * rate), dtype=np.float32)
    path = folder / "speech.wav"
    sf.write(path, np.concatenate([silence, audio, silence]), rate)
    return path


def _pulse_ready() -> bool:
    return subprocess.run(["pactl", "info"], capture_output=True, timeout=5).returncode == 0


@pytest.fixture(scope="session")
def virtual_mic() -> str:
    """The PulseAudio virtual microphone (started by the README's test command; started here if needed)."""
    if shutil.which("pactl") is None or shutil.which("pulseaudio") is None:
        pytest.skip("PulseAudio is not installed (the README's test command installs it)")
    if not _pulse_ready():
        subprocess.run([str(VIRTUAL_MIC), "start"], check=True, capture_output=True, timeout=30)
        import s2f_desktop.audio.devices as devices

        devices.refresh()
    assert _pulse_ready(), "the virtual microphone did not start"
    return "vspk"


def play_into_mic(path: Path, sink: str = "vspk") -> subprocess.Popen:
    """Play a file into the virtual speaker; the virtual microphone hears it in real time."""
    return subprocess.Popen(["paplay", f"--device={sink}", str(path)])


def kill_virtual_mic() -> None:
    """Pull the plug on the test's own PulseAudio server (by its pid file: never anyone else's server)."""
    pid_file = Path(os.environ.get("S2F_PULSE_DIR", "/tmp/s2f-pulse")) / "pulse.pid"
    if pid_file.is_file():
        subprocess.run(["kill", pid_file.read_text().strip()], capture_output=True)


def restart_virtual_mic() -> None:
    subprocess.run([str(VIRTUAL_MIC), "start"], check=True, capture_output=True, timeout=30)
    time.sleep(0.3)
    import s2f_desktop.audio.devices as devices

    devices.refresh()
