"""The real kiosk window (offscreen) with the virtual microphone, the real models and real speech.

The virtual microphone is shared with other tests on this machine, so every wait is generous and the tests wait
for the kiosk to be idle (attract screen) before they speak to it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6 import QtCore

from s2f_desktop.kiosk_config import ConfigError, KioskConfig, example_config_path, load_config, load_texts
from s2f_desktop.pipeline.kiosk_session import ATTRACT, VISIT
from s2f_desktop.ui.kiosk_window import UNAVAILABLE, KioskWindow

from .conftest import kill_virtual_mic, play_into_mic, restart_virtual_mic

SILENCE_TIMEOUT_S = 2.0


def write_config(folder: Path, **values: object) -> Path:
    settings = {"silence_timeout_s": SILENCE_TIMEOUT_S, "retry_interval_s": 1, "fullscreen": "yes", **values}
    path = folder / "kiosk.ini"
    path.write_text("[kiosk]\n" + "".join(f"{k} = {v}\n" for k, v in settings.items()), encoding="utf-8")
    return path


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def kiosk(qtbot, tmp_path: Path, virtual_mic: str):
    config_dir = Path(os.environ["XDG_CONFIG_HOME"])
    before = tree(config_dir)
    config = load_config(write_config(tmp_path, fullscreen="no"))  # offscreen "screens" are 800x800: use 16:9
    window = KioskWindow(config)
    qtbot.addWidget(window)
    window.show_kiosk()
    window.resize(1600, 900)
    qtbot.waitExposed(window)
    yield window
    window.operator_exit()
    # Nothing was written by the kiosk: the settings folder is as it was, the work folder holds only the config.
    assert tree(config_dir) == before
    assert tree(tmp_path) == ["kiosk.ini"]


def wait_for_attract(window: KioskWindow, qtbot) -> None:
    """The shared microphone may carry another test's speech: wait until the kiosk is idle."""
    qtbot.waitUntil(lambda: window.state == ATTRACT and window.capture is not None, timeout=60000)


@pytest.mark.live_audio
def test_attract_portrait_and_reset(kiosk: KioskWindow, qtbot, speech_wav: Path, artifacts_dir: Path) -> None:
    assert kiosk.capture is not None, kiosk.device_error
    wait_for_attract(kiosk, qtbot)
    assert kiosk.pages.currentWidget() is kiosk.attract_page
    assert "nothing is recorded" in " ".join(label.text().lower() for label in kiosk.consent_labels)
    kiosk.grab().save(str(artifacts_dir / "kiosk_attract.png"))

    player = play_into_mic(speech_wav)
    qtbot.waitUntil(lambda: kiosk.state == VISIT, timeout=15000)
    assert kiosk.pages.currentWidget() is kiosk.visit_page
    qtbot.waitUntil(lambda: kiosk.showing_portrait and kiosk.pipeline.stats.speech_seconds > 3.0, timeout=20000)
    kiosk.update_texts()
    assert "of your voice" in kiosk.seconds_label.text()
    assert kiosk.certainty_word.text() in load_texts("en")["certainty_levels"]
    assert kiosk.portrait_label.pixmap() is not None and not kiosk.portrait_label.pixmap().isNull()
    kiosk.grab().save(str(artifacts_dir / "kiosk_portrait.png"))
    renders_during_visit = kiosk.worker.snapshot.renders
    assert renders_during_visit >= 1

    qtbot.waitUntil(lambda: player.poll() is not None, timeout=30000)
    # After the configured silence the kiosk forgets the visitor and invites the next one.
    qtbot.waitUntil(lambda: kiosk.state == ATTRACT, timeout=30000)
    assert kiosk.session.counters.resets >= 1
    assert kiosk.pages.currentWidget() is kiosk.attract_page
    assert not kiosk.showing_portrait
    assert kiosk.worker.wait_idle(10)
    if kiosk.state == ATTRACT:  # (unless another test's speech already started a new visit)
        snapshot = kiosk.worker.snapshot
        assert snapshot.image is None and snapshot.speech_seconds == 0.0 and snapshot.renders == 0


def test_operator_chord_closes_the_kiosk(qtbot, tmp_path: Path) -> None:
    window = KioskWindow(load_config(write_config(tmp_path, device="no such microphone")))
    qtbot.addWidget(window)
    window.show_kiosk()
    qtbot.waitExposed(window)
    assert window.isFullScreen()
    assert window.state == UNAVAILABLE  # a configured device that does not exist: the calm screen, retried
    window.close()  # visitors' attempts to close the window are refused
    assert window.isVisible()
    qtbot.keyClick(
        window,
        QtCore.Qt.Key.Key_Q,
        QtCore.Qt.KeyboardModifier.ControlModifier
        | QtCore.Qt.KeyboardModifier.AltModifier
        | QtCore.Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert window.worker is not None and window.worker._thread is None  # stopped


@pytest.mark.live_audio
def test_device_failure_shows_unavailable_and_recovers(kiosk: KioskWindow, qtbot, speech_wav: Path, artifacts_dir: Path) -> None:
    assert kiosk.capture is not None, kiosk.device_error
    kill_virtual_mic()
    try:
        qtbot.waitUntil(lambda: kiosk.state == UNAVAILABLE, timeout=20000)
        assert kiosk.pages.currentWidget() is kiosk.unavailable_page
        assert not kiosk.spectrogram_view.isVisible()
        kiosk.grab().save(str(artifacts_dir / "kiosk_unavailable.png"))
        qtbot.wait(2500)  # it keeps retrying while the microphone is gone, calmly
        assert kiosk.state == UNAVAILABLE
    finally:
        restart_virtual_mic()
    qtbot.waitUntil(lambda: kiosk.state in (ATTRACT, VISIT) and kiosk.capture is not None, timeout=30000)
    assert kiosk.recoveries >= 1
    wait_for_attract(kiosk, qtbot)
    heard = kiosk.pipeline.stats.seconds_total
    play_into_mic(speech_wav)
    qtbot.waitUntil(lambda: kiosk.pipeline.stats.speech_seconds > 1.0, timeout=20000)
    assert kiosk.pipeline.stats.seconds_total > heard  # audio flows again


def test_config_file_and_texts(tmp_path: Path) -> None:
    example = load_config(example_config_path())  # the documented example is valid as shipped
    assert example == KioskConfig()
    assert "Ctrl+Alt+Shift+Q" in example_config_path().read_text(encoding="utf-8")
    custom = load_config(write_config(tmp_path, language="de", population_prior="White: 1, Black: 1"))
    assert custom.language == "de" and custom.silence_timeout_s == SILENCE_TIMEOUT_S
    assert custom.race_prior[0] == pytest.approx(0.5) and custom.race_prior[1] == pytest.approx(0.5)
    for bad in ({"language": "xx"}, {"silence_timeout_s": "soon"}, {"population_prior": "Martian: 1"}, {"colour": "red"}):
        with pytest.raises(ConfigError):
            load_config(write_config(tmp_path, **bad))
    english = load_texts("en")
    for language in ("de", "fr"):
        texts = load_texts(language)
        assert set(texts) == set(english)
        for key, value in texts.items():
            if key not in ("certainty",):
                assert value != english[key], f"{language}: {key} is not translated"


KIOSK_SCRIPT = """
import subprocess, sys
from PySide6 import QtCore
QtCore.QTimer.singleShot(1500, lambda: subprocess.Popen(["paplay", "--device=vspk", sys.argv[3]]))
from s2f_desktop.ui.app import main
sys.exit(main(["--kiosk", "--config", sys.argv[1], "--quit-after", sys.argv[2]]))
"""


@pytest.mark.live_audio
def test_kiosk_process_writes_nothing(tmp_path: Path, virtual_mic: str, speech_wav: Path) -> None:
    """The whole `s2f-desktop --kiosk` process, with a fresh HOME: after a visit, nothing is on disk."""
    etc = tmp_path / "etc"
    etc.mkdir()
    config = write_config(etc)
    home = tmp_path / "home"
    work = tmp_path / "work"
    work.mkdir()
    # The desktop session of a real kiosk machine already has its sound server's cookie (libpulse creates it on
    # the first connection otherwise); it is the system's, not the kiosk's, and it must stay as it is.
    cookie = home / ".config" / "pulse" / "cookie"
    cookie.parent.mkdir(parents=True)
    cookie.write_bytes(os.urandom(256))
    before = {p: p.read_bytes() for p in home.rglob("*") if p.is_file()}
    env = dict(
        os.environ,
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        QT_QPA_PLATFORM="offscreen",
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", KIOSK_SCRIPT, str(config), "12", str(speech_wav)],
        env=env, cwd=work, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert time.monotonic() - started >= 12
    assert {p: p.read_bytes() for p in home.rglob("*") if p.is_file()} == before, tree(home)
    assert tree(home) == [".config", ".config/pulse", ".config/pulse/cookie"]
    assert tree(work) == []
    assert tree(etc) == ["kiosk.ini"]


class _Recorder:
    """Stands in for the pipeline and the worker in the session's bookkeeping test (both real elsewhere here)."""

    def __init__(self) -> None:
        self.resets = 0
        self.on_speech = None

    def reset(self) -> None:
        self.resets += 1

    def submit_speech(self, audio) -> None:  # noqa: ANN001
        pass


def test_session_timeouts_in_audio_time() -> None:
    import numpy as np

    from s2f_desktop.dsp.level import measure_level
    from s2f_desktop.pipeline.kiosk_session import KioskSession
    from s2f_desktop.pipeline.live import PollResult

    pipeline, worker = _Recorder(), _Recorder()
    session = KioskSession(pipeline, worker, silence_timeout_s=8.0, max_visit_s=60.0)  # type: ignore[arg-type]
    level = measure_level(np.zeros(10, dtype=np.float32))
    speech = PollResult(320, level, True, np.zeros(320, dtype=np.float32))
    quiet = PollResult(320, level, False, np.zeros(0, dtype=np.float32))
    assert session.observe(quiet, 0.0) is None and session.state == ATTRACT
    assert session.observe(speech, 1.0) == VISIT
    assert session.observe(quiet, 8.9) is None  # 7.9 s of silence: still the same visitor
    assert session.observe(speech, 9.0) is None
    assert session.observe(quiet, 17.1) == ATTRACT  # 8.1 s of silence: forgotten
    assert (pipeline.resets, worker.resets, session.counters.resets) == (1, 1, 1)
    assert session.observe(speech, 20.0) == VISIT
    for t in np.arange(20.0, 80.0, 1.0):
        session.observe(speech, float(t))
    assert session.observe(speech, 81.0) == ATTRACT  # endless talk: a new portrait after max_visit_s
    assert session.counters.long_visits == 1 and session.counters.visits == 2
    assert session.observe(speech, 82.0) == VISIT


class _Source:
    """An audio source that breaks (raises) or delivers quiet audio, for the recovery path without a device."""

    failed = False

    def __init__(self, broken: bool) -> None:
        self.broken = broken

    def read_new(self):  # noqa: ANN201
        import numpy as np

        if self.broken:
            raise RuntimeError("the sound server went away")
        return np.zeros(480, dtype=np.float32)

    def stop(self) -> None:
        pass


def test_any_listening_fault_shows_the_calm_screen_and_retries(qtbot, tmp_path: Path) -> None:
    sources = iter([_Source(broken=True), _Source(broken=False)])
    window = KioskWindow(load_config(write_config(tmp_path, fullscreen="no")), source_factory=lambda: next(sources))
    qtbot.addWidget(window)
    window.show_kiosk()
    try:
        qtbot.waitUntil(lambda: window.state == UNAVAILABLE, timeout=5000)
        assert "went away" in (window.device_error or "")
        qtbot.waitUntil(lambda: window.state == ATTRACT, timeout=10000)  # retried after retry_interval_s
        assert window.recoveries == 1
        qtbot.waitUntil(lambda: window.stream_s > 0.1, timeout=5000)
    finally:
        window.operator_exit()
