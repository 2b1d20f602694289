"""The product: speech in, a portrait that refines as speech accumulates — the real window, models and audio."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from PySide6 import QtCore

from s2f_desktop.portrait.face_classifier import load_face_classifier
from s2f_desktop.ui.about_dialog import AboutModelsDialog
from s2f_desktop.ui.main_window import MainWindow

from .conftest import SHARED_VOICES, play_into_mic


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    main = MainWindow(QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat))
    qtbot.addWidget(main)
    main.resize(1400, 860)
    main.show()
    qtbot.waitExposed(main)
    assert main.portrait_worker is not None, "the shipped voice and face models did not load"
    yield main
    main.close()


def speaker_recording(tmp_path: Path, corpus: str, gender: str, min_age: int, max_age: int) -> Path:
    """All clips of one real speaker joined into one file (10-25 s of speech, as a person would give)."""
    import csv

    import soundfile as sf

    from s2f_desktop.audio.file_source import read_16k

    manifest = SHARED_VOICES / corpus / "manifest.csv"
    if not manifest.is_file():
        pytest.skip(f"../shared/data/voices/{corpus} is not present on this machine")
    with open(manifest, newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["gender"] == gender and min_age <= float(r["age"]) <= max_age]
    by_speaker: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_speaker.setdefault(row["speaker_id"], []).append(row)
    speaker = max(sorted(by_speaker), key=lambda s: sum(float(r["duration_s"]) for r in by_speaker[s]))
    audio = np.concatenate([read_16k(SHARED_VOICES / corpus / r["path"]) for r in by_speaker[speaker]])
    path = tmp_path / f"{corpus}_{gender}_{speaker}.flac"
    sf.write(path, audio, 16000)
    return path


@pytest.mark.live_audio
def test_speech_through_the_microphone_builds_a_refining_portrait(
    window: MainWindow, qtbot, virtual_mic: str, speech_wav: Path, artifacts_dir: Path
) -> None:
    window.populate_devices(rescan=True)
    assert window.start_listening()
    play_into_mic(speech_wav)
    qtbot.waitUntil(lambda: window.portrait_worker.snapshot.image is not None, timeout=10000)
    first = window.portrait_worker.snapshot
    assert first.first_portrait_time is not None
    qtbot.waitUntil(window.portrait_panel.image.has_portrait, timeout=2000)  # shown on the next display frame
    qtbot.waitUntil(lambda: window.portrait_worker.snapshot.speech_seconds > first.speech_seconds + 3.0, timeout=20000)
    qtbot.wait(1200)  # let the morph reach the newest estimate
    last = window.portrait_worker.snapshot
    assert last.estimates >= 4 and len(last.history) > len(first.history)
    assert last.renders > first.renders
    assert not np.array_equal(first.image, last.image), "the portrait did not change as evidence grew"
    assert "Speech used" in window.portrait_panel.summary.text()
    assert "not a picture of the speaker" in window.portrait_panel.caption.text()
    window.save_screenshot(artifacts_dir / "main_window_live_portrait.png")
    window.stop_listening()


@pytest.mark.parametrize(
    ("corpus", "gender", "min_age", "max_age"),
    [("commonvoice", "male", 20, 49), ("commonvoice", "female", 20, 49), ("speechocean762", "female", 18, 43)],
)
def test_recordings_give_portraits_the_face_classifier_reads_correctly(
    window: MainWindow, qtbot, tmp_path: Path, artifacts_dir: Path, corpus: str, gender: str, min_age: int, max_age: int
) -> None:
    path = speaker_recording(tmp_path, corpus, gender, min_age, max_age)
    assert window.open_file(str(path))
    window.start_scan()
    qtbot.waitUntil(lambda: window.scan_job is None, timeout=60000)
    assert window.portrait_worker.wait_idle(10)
    qtbot.wait(100)
    snapshot = window.portrait_worker.snapshot
    assert snapshot.image is not None and snapshot.attributes is not None
    read = load_face_classifier().classify(snapshot.image)
    assert read.gender == gender, f"voice P(male)={snapshot.attributes.p_male:.2f}, face read P(male)={read.p_male:.2f}"
    window.save_screenshot(artifacts_dir / f"main_window_portrait_{corpus}_{gender}.png")


def test_explore_overrides_and_population_prior_change_the_portrait(window: MainWindow, qtbot, speech_wav: Path) -> None:
    window.open_file(str(speech_wav))
    window.start_scan()
    qtbot.waitUntil(lambda: window.scan_job is None, timeout=60000)
    assert window.portrait_worker.wait_idle(10)
    before = window.portrait_worker.snapshot.image.copy()
    panel = window.explore_panel
    panel.gender_from_voice.setChecked(False)
    panel.gender_slider.setValue(0)  # female
    panel.age_combo.setCurrentText("60-69")
    assert window.portrait_worker.wait_idle(10)
    qtbot.wait(100)
    after = window.portrait_worker.snapshot.image
    assert not np.array_equal(before, after)
    read = load_face_classifier().classify(after)
    assert read.gender == "female"
    for slider in panel.prior_sliders[1:]:
        slider.setValue(0)  # only the first group
    assert "White 100%" in window.portrait_panel.prior_label.text()
    panel.set_balanced()
    assert "balanced" in window.portrait_panel.prior_label.text()


def test_pause_and_reset(window: MainWindow, qtbot, speech_wav: Path) -> None:
    from s2f_desktop.audio.file_source import read_16k
    from s2f_desktop.inference.vad import SileroVad

    speech = SileroVad().speech_only(read_16k(speech_wav))
    worker = window.portrait_worker
    worker.submit_speech(speech[: 16000 * 2])
    assert worker.wait_idle(10)
    assert abs(worker.snapshot.speech_seconds - 2.0) < 0.01
    window.portrait_panel.pause_button.click()
    worker.submit_speech(speech[16000 * 2 : 16000 * 4])
    assert worker.wait_idle(10)
    assert abs(worker.snapshot.speech_seconds - 2.0) < 0.01 and worker.snapshot.paused
    window.portrait_panel.pause_button.click()
    window.portrait_panel.reset_button.click()
    assert worker.wait_idle(10)
    qtbot.wait(100)
    assert worker.snapshot.speech_seconds == 0 and worker.snapshot.image is None
    window.on_frame()
    assert not window.portrait_panel.image.has_portrait()


def test_use_selection_plays_only_the_chosen_stretch(window: MainWindow, qtbot, speech_wav: Path) -> None:
    window.open_file(str(speech_wav))
    window.timeline.set_selection((2.0, 4.0))
    assert window.start_playback(speed=4.0)
    qtbot.waitUntil(lambda: window.playback is None, timeout=10000)
    assert abs(window.pipeline.stats.seconds_total - 2.0) < 0.1
    assert window.portrait_worker.wait_idle(10)
    assert window.portrait_worker.snapshot.speech_seconds <= 2.0


def test_about_dialog_shows_model_cards(window: MainWindow, qtbot) -> None:
    dialog = AboutModelsDialog(window)
    qtbot.addWidget(dialog)
    text = dialog.browser.toPlainText()
    assert "Apache-2.0" in text and "CC0" in text
    assert "CC BY 4.0" in text or "FairFace" in text


def test_compare_two_recordings(window: MainWindow, qtbot, tmp_path: Path, artifacts_dir: Path) -> None:
    male = speaker_recording(tmp_path, "commonvoice", "male", 50, 89)
    child = speaker_recording(tmp_path, "speechocean762", "female", 6, 10)
    window.start_compare(str(male), str(child))
    qtbot.waitUntil(lambda: window.compare_job is None, timeout=60000)
    panel = window.explore_panel
    assert panel.portrait_a.has_portrait() and panel.portrait_b.has_portrait()
    assert not panel.morph_strip.pixmap().isNull()
    window.side_tabs.setCurrentIndex(1)
    start = time.monotonic()
    while time.monotonic() - start < 0.2:
        qtbot.wait(20)
    window.save_screenshot(artifacts_dir / "main_window_explore_compare.png")
