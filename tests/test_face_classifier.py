"""The evaluation classifier reads the rendered portraits the way Speech2Face's protocol does."""

from __future__ import annotations

import numpy as np
import pytest

from s2f_desktop.portrait import latent as lat
from s2f_desktop.portrait.face_classifier import load_face_classifier, resize_image
from s2f_desktop.portrait.face_model import load_face_model

ADULT_AGES = ("20-29", "30-39", "40-49", "50-59", "60-69")


@pytest.fixture(scope="module")
def decoder():
    return load_face_model()


@pytest.fixture(scope="module")
def classifier():
    return load_face_classifier()


def test_outputs_are_probabilities(classifier):
    grey = np.full((256, 256, 3), 128, np.uint8)
    read = classifier.classify(grey)
    assert 0.0 <= read.p_male <= 1.0
    assert read.age_probs.shape == (9,) and read.age_probs.sum() == pytest.approx(1.0, abs=1e-4)
    assert read.race_probs.shape == (7,) and read.race_probs.sum() == pytest.approx(1.0, abs=1e-4)


def test_balanced_prior_portraits_read_as_their_gender(decoder, classifier):
    """Adult portraits with the balanced population prior: every one must read as its gender."""
    for gender in lat.GENDERS:
        latents = np.stack([lat.latent_from_joint(lat.attributes_to_joint(gender, age)) for age in ADULT_AGES])
        reads = classifier.classify_batch(list(decoder.render_batch(latents)))
        assert [r.gender for r in reads] == [gender] * len(ADULT_AGES), [round(r.p_male, 3) for r in reads]


def test_cell_portraits_read_as_their_gender(decoder, classifier):
    """Every adult cell of the grid (5 ages x 7 groups per gender): at least 95% read as the cell's gender."""
    for gender in lat.GENDERS:
        cells = [lat.cell_index(gender, age, race) for age in ADULT_AGES for race in lat.RACES]
        latents = np.zeros((len(cells), lat.LATENT_SIZE), np.float32)
        latents[np.arange(len(cells)), cells] = 1.0
        reads = classifier.classify_batch(list(decoder.render_batch(latents)))
        agree = np.mean([r.gender == gender for r in reads])
        assert agree >= 0.95, f"{gender}: {agree:.2f}"


def test_age_extremes_are_told_apart(decoder, classifier):
    young = decoder.render(lat.latent_from_joint(lat.attributes_to_joint(None, "3-9")))
    old = decoder.render(lat.latent_from_joint(lat.attributes_to_joint(None, "70+")))
    young_read, old_read = classifier.classify(young), classifier.classify(old)
    assert lat.AGE_BINS.index(young_read.age_bin) <= 2, young_read.age_bin
    assert lat.AGE_BINS.index(old_read.age_bin) >= 6, old_read.age_bin


def test_resize_keeps_a_constant_image_constant():
    image = np.full((100, 60, 3), 77, np.uint8)
    small = resize_image(image, 20, 33)
    assert small.shape == (33, 20, 3)
    assert np.allclose(small, 77, atol=1e-3)
