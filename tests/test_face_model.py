"""The shipped face decoder (models/face_decoder.onnx): shapes, determinism, smooth morphs, clear errors."""

from __future__ import annotations

import json
import shutil
import struct
import zlib

import numpy as np
import pytest

from s2f_desktop.inference.session import ModelError
from s2f_desktop.paths import model_path
from s2f_desktop.portrait import latent as lat
from s2f_desktop.portrait.face_model import encode_png, load_face_model


@pytest.fixture(scope="module")
def model():
    return load_face_model()


def _joint_latent(gender: str | None, age: str | None) -> np.ndarray:
    return lat.latent_from_joint(lat.attributes_to_joint(gender, age))


def test_render_shape_and_dtype(model):
    image = model.render(_joint_latent("female", "30-39"))
    assert image.shape == (256, 256, 3) and image.dtype == np.uint8
    big = model.render(_joint_latent("male", "50-59"), 512)
    assert big.shape == (512, 512, 3) and big.dtype == np.uint8
    batch = model.render_batch(np.stack([_joint_latent("male", None), _joint_latent(None, "0-2")]))
    assert batch.shape == (2, 256, 256, 3)


def test_render_is_a_face_not_a_flat_image(model):
    image = model.render(_joint_latent("male", "20-29")).astype(float)
    assert image.std() > 15  # real structure, not a constant backdrop
    assert 40 < image.mean() < 220  # neither black nor blown out


def test_same_latent_gives_same_bytes(model):
    latent = _joint_latent("female", "60-69")
    assert model.render(latent).tobytes() == model.render(latent).tobytes()


def test_cell_weights_are_renormalised(model):
    latent = _joint_latent("male", "40-49")
    scaled = latent.copy()
    scaled[: lat.N_CELLS] *= 3.0
    diff = np.abs(model.render(latent).astype(int) - model.render(scaled).astype(int))
    assert diff.max() <= 1


def test_component_coefficients_change_the_face_a_little(model):
    base = _joint_latent("female", "20-29")
    for start in (lat.N_CELLS, lat.N_CELLS + lat.N_SHAPE):
        varied = base.copy()
        varied[start] = 1.5
        diff = np.abs(model.render(varied).astype(float) - model.render(base)).mean()
        assert 0.2 < diff < 25


def _frame_steps(model, a, b, steps=17):
    frames = model.render_batch(lat.sweep(a, b, steps)).astype(float)
    return np.array([np.abs(frames[i + 1] - frames[i]).mean() for i in range(steps - 1)]), frames


@pytest.mark.parametrize(
    ("start", "end"),
    [(("male", "30-39"), ("female", "30-39")), (("male", "3-9"), ("male", "70+")), (("female", "0-2"), ("female", "70+"))],
)
def test_morph_is_smooth(model, start, end):
    steps, frames = _frame_steps(model, _joint_latent(*start), _joint_latent(*end))
    total = np.abs(frames[-1] - frames[0]).mean()
    assert total > 2.0, "the two ends of the morph should look different"
    assert steps.min() > 0, "every frame should move"
    # no popping: no step much larger than the typical one, and each step a small part of the whole change
    assert steps.max() <= 2.0 * steps.mean()
    assert steps.max() <= 0.25 * total


def test_metadata_every_rendered_mean_averages_at_least_50_faces(model):
    meta = model.metadata
    assert meta["latent_size"] == lat.LATENT_SIZE
    assert len(meta["cells"]) == lat.N_CELLS
    assert meta["min_faces_per_rendered_mean"] >= 50
    for cell in meta["cells"]:
        assert cell["faces_in_group"] >= 50, cell
        expected = lat.cell_index(cell["gender"], cell["age"], cell["race"])
        assert cell["index"] == expected


def test_model_file_is_under_budget():
    assert model_path("face_decoder.onnx").stat().st_size < 40e6


def test_missing_model_gives_clear_error(tmp_path):
    with pytest.raises(ModelError, match="missing"):
        load_face_model(tmp_path / "face_decoder.onnx")


def test_corrupt_model_gives_clear_error(tmp_path):
    broken = tmp_path / "face_decoder.onnx"
    broken.write_bytes(b"this is not an onnx file" * 100)
    shutil.copy(model_path("face_decoder.json"), tmp_path / "face_decoder.json")
    with pytest.raises(ModelError, match="could not be loaded"):
        load_face_model(broken)


def test_missing_metadata_gives_clear_error(tmp_path):
    copy = tmp_path / "face_decoder.onnx"
    shutil.copy(model_path("face_decoder.onnx"), copy)
    with pytest.raises(ModelError, match="face_decoder.json"):
        load_face_model(copy)


def test_mismatched_metadata_gives_clear_error(tmp_path):
    copy = tmp_path / "face_decoder.onnx"
    shutil.copy(model_path("face_decoder.onnx"), copy)
    meta = json.loads(model_path("face_decoder.json").read_text())
    meta["latent_size"] = 7
    (tmp_path / "face_decoder.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="does not match"):
        load_face_model(copy)


def test_bad_latent_is_rejected(model):
    with pytest.raises(ValueError):
        model.render_batch(np.zeros((1, 5), np.float32))
    bad = _joint_latent("male", None)
    bad[0] = np.nan
    with pytest.raises(ValueError):
        model.render(bad)


def test_png_encoding_round_trips():
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, size=(7, 5, 3), dtype=np.uint8)
    data = encode_png(image)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (5, 7)
    idat_len = struct.unpack(">I", data[33:37])[0]
    raw = zlib.decompress(data[41 : 41 + idat_len])
    rows = np.frombuffer(raw, np.uint8).reshape(7, 1 + 5 * 3)
    assert (rows[:, 0] == 0).all()
    assert np.array_equal(rows[:, 1:].reshape(7, 5, 3), image)
