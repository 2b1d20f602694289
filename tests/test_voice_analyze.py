"""`s2f analyze` contract and the attribute model on real recordings (no timing assertions: see `s2f bench`)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from s2f_desktop.cli.main import main
from s2f_desktop.inference.voice_attributes import AGE_BINS, VoiceAttributes

HERE = Path(__file__).resolve().parent
RECORDING = HERE / "data" / "espeak_en_16k.wav"
VOICES = HERE.parent.parent / "shared" / "data" / "voices"
CONTRACT_KEYS = {"file", "speech_seconds", "p_male", "age_years", "age_bins", "provider", "models"}


def _run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict]]:
    code = main(["analyze", *args, "--json"])
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    return code, [json.loads(line) for line in lines]


def _check_result(obj: dict) -> None:
    assert set(obj) >= CONTRACT_KEYS, obj
    assert 0.0 <= obj["p_male"] <= 1.0
    assert list(obj["age_bins"]) == list(AGE_BINS)
    assert sum(obj["age_bins"].values()) == pytest.approx(1.0, abs=1e-4)
    assert 0 < obj["age_years"] < 100
    assert obj["provider"].endswith("ExecutionProvider")
    assert set(obj["models"]) == {"voice_encoder.onnx", "voice_to_face.onnx", "silero_vad.onnx"}
    assert all(len(h) == 64 for h in obj["models"].values())


@pytest.fixture()
def stereo_44k(tmp_path: Path) -> Path:
    """The espeak sentence as 44.1 kHz stereo FLAC with pauses: any rate, any channel count must work."""
    import soxr

    audio, rate = sf.read(str(RECORDING), dtype="float32")
    pause = np.zeros(rate // 2, dtype=np.float32)
    long = np.concatenate([pause, audio, pause, audio * 0.5, pause])
    high = soxr.resample(long, rate, 44100)
    path = tmp_path / "espeak stereo.flac"
    sf.write(str(path), np.stack([high, high * 0.8], axis=1), 44100)
    return path


def test_contract_good_and_bad_files(capsys: pytest.CaptureFixture[str], tmp_path: Path, stereo_44k: Path) -> None:
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really audio")
    missing = tmp_path / "missing.flac"
    code, objects = _run_json(capsys, str(RECORDING), str(broken), str(stereo_44k), str(missing))
    assert code != 0
    assert [o["file"] for o in objects] == [str(RECORDING), str(broken), str(stereo_44k), str(missing)]
    _check_result(objects[0])
    _check_result(objects[2])
    assert "error" in objects[1] and "error" in objects[3]
    assert objects[0]["speech_seconds"] > 3.0
    assert objects[2]["speech_seconds"] > 2 * objects[0]["speech_seconds"] * 0.8


def test_max_seconds_and_determinism(capsys: pytest.CaptureFixture[str], stereo_44k: Path) -> None:
    code, first = _run_json(capsys, str(stereo_44k), "--max-seconds", "2.5")
    assert code == 0
    assert first[0]["speech_seconds"] == pytest.approx(2.5, abs=0.01)
    code, again = _run_json(capsys, str(stereo_44k), "--max-seconds", "2.5")
    assert again == first
    code, full = _run_json(capsys, str(stereo_44k))
    assert full[0]["speech_seconds"] > first[0]["speech_seconds"]


def test_silence_is_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "silence.wav"
    sf.write(str(path), np.zeros(16000 * 3, dtype=np.float32), 16000)
    code, objects = _run_json(capsys, str(path))
    assert code != 0 and "no detectable speech" in objects[0]["error"]


def test_table_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(RECORDING)]) == 0
    out = capsys.readouterr().out
    assert "P(male)" in out and "espeak_en_16k.wav" in out


def test_file_analysis_equals_streaming_accumulator(stereo_44k: Path) -> None:
    """The file path uses the live accumulator: feeding the same VAD speech by hand gives the same estimate."""
    from s2f_desktop.audio.file_source import read_16k
    from s2f_desktop.inference.speech_evidence import SpeechEvidence
    from s2f_desktop.inference.voice_analysis import default_analyzer

    analyzer = default_analyzer()
    result = analyzer.analyze(stereo_44k)
    audio = read_16k(stereo_44k)
    evidence = SpeechEvidence(analyzer.encoder)
    for start, end in analyzer.vad.speech_segments(audio):
        for position in range(start, end, 3000):  # a live worker's small chunks
            evidence.add_speech(audio[position : min(end, position + 3000)])
    embedding = evidence.embedding()
    assert embedding is not None
    estimate = analyzer.attributes.estimate(embedding, evidence.speech_seconds)
    assert estimate.p_male == pytest.approx(result.p_male, abs=1e-5)
    assert estimate.age_years == pytest.approx(result.age_years, abs=1e-3)


def test_attribute_model_outputs_are_consistent() -> None:
    model = VoiceAttributes()
    rng = np.random.default_rng(0)
    embeddings = np.abs(rng.standard_normal((4, 256))).astype(np.float32)
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    out = model.predict_batch(embeddings, np.array([1.0, 2.0, 8.0, 60.0]))
    assert out["joint"].shape == (4, 2, 9) and out["joint_fine"].shape == (4, 2, 19)
    assert np.allclose(out["joint"].sum(axis=(1, 2)), 1.0, atol=1e-5)
    assert np.allclose(out["p_male"], out["joint"][:, 0].sum(axis=1), atol=1e-5)


def _pick(corpus: str, gender: str, low: int, high: int, count: int = 2) -> list[Path]:
    manifest = VOICES / corpus / "manifest.csv"
    chosen: dict[str, list[Path]] = {}
    with open(manifest, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["gender"] == gender and low <= float(row["age_low"]) and float(row["age_high"]) <= high:
                chosen.setdefault(row["speaker_id"], []).append(VOICES / corpus / row["path"])
                if len(chosen) > count:
                    break
    return [clips[0] for clips in list(chosen.values())[:count]]


@pytest.mark.shared_data
def test_real_voices_come_out_right(capsys: pytest.CaptureFixture[str]) -> None:
    if not VOICES.is_dir():
        pytest.skip(f"{VOICES} is absent: the shared voice corpora are not available on this machine")
    cases = [
        (_pick("speechocean762", "male", 20, 43), "male"),
        (_pick("speechocean762", "female", 20, 43), "female"),
        (_pick("commonvoice", "male", 30, 49), "male"),
        (_pick("commonvoice", "female", 20, 39), "female"),
    ]
    files = [str(path) for paths, _ in cases for path in paths]
    code, objects = _run_json(capsys, *files)
    assert code == 0
    expected = [gender for paths, gender in cases for _ in paths]
    for obj, gender in zip(objects, expected, strict=True):
        _check_result(obj)
        assert (obj["p_male"] >= 0.5) == (gender == "male"), obj
        assert obj["age_years"] >= 13, obj  # adults are not portrayed as children
    # speechocean762 children: under 13, predicted younger than the adults
    children = _pick("speechocean762", "female", 6, 9) + _pick("speechocean762", "male", 6, 9)
    code, kids = _run_json(capsys, *map(str, children))
    assert code == 0
    assert np.mean([k["age_years"] for k in kids]) < np.mean([o["age_years"] for o in objects])
