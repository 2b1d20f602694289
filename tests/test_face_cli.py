"""`s2f portrait` and the decoder benchmark."""

from __future__ import annotations

import json

import numpy as np
import pytest

from s2f_desktop.cli.main import main
from s2f_desktop.cli.portrait import parse_attributes, parse_population


def test_portrait_from_attributes_writes_png_and_json(tmp_path, capsys):
    out = tmp_path / "portrait.png"
    rc = main(["portrait", "--attributes", "gender=female,age=30-39", "-o", str(out), "--json"])
    assert rc == 0
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == 256
    report = json.loads(capsys.readouterr().out)
    assert report["portrait"] == str(out)
    assert report["attributes"] == {"gender": "female", "age": "30-39"}
    assert sum(report["population_prior"].values()) == pytest.approx(1.0, abs=1e-3)


def test_portrait_512_and_population(tmp_path, capsys):
    out = tmp_path / "big.png"
    rc = main(["portrait", "--attributes", "age=70+", "--population", "Black=1", "--size", "512", "-o", str(out)])
    assert rc == 0 and int.from_bytes(out.read_bytes()[16:20], "big") == 512
    assert "not a picture of the speaker" in capsys.readouterr().out


def test_bad_attributes_are_explained(tmp_path, capsys):
    rc = main(["portrait", "--attributes", "gender=female,age=31", "-o", str(tmp_path / "x.png")])
    assert rc == 2
    assert "age" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_file_or_attributes_required(tmp_path, capsys):
    assert main(["portrait", "-o", str(tmp_path / "x.png")]) == 2
    assert "--attributes" in capsys.readouterr().err


def test_parsers():
    assert parse_attributes("gender=male") == ("male", None)
    assert parse_attributes(" age = 3-9 ") == (None, "3-9")
    with pytest.raises(ValueError):
        parse_attributes("height=2m")
    assert np.allclose(parse_population(None), 1 / 7)
    with pytest.raises(ValueError):
        parse_population("White=lots")


def test_bench_reports_decoder_figures():
    from s2f_desktop.bench.decoder import measure

    figures = measure(quick=True)
    assert figures["decoder_ms_per_portrait_256"] > 0
    assert figures["decoder_ms_per_portrait_512"] > 0
    assert figures["decoder_provider"] in ("CPU", "CUDA")


def test_portrait_from_recording_prints_analysis_and_portrait(tmp_path, capsys):
    from pathlib import Path

    wav = Path(__file__).parent / "data" / "espeak_en_16k.wav"
    out = tmp_path / "voice.png"
    assert main(["portrait", str(wav), "-o", str(out), "--json", "--max-seconds", "10"]) == 0
    report = json.loads(capsys.readouterr().out)
    for key in ("file", "speech_seconds", "p_male", "age_years", "age_bins", "provider", "models", "portrait"):
        assert key in report
    assert report["portrait"] == str(out) and out.read_bytes()[:4] == b"\x89PNG"
