"""The latent layout (numpy only): joint tables, population priors, explicit attributes, interpolation."""

from __future__ import annotations

import numpy as np
import pytest

from s2f_desktop.portrait import latent as lat


def test_layout_sizes():
    assert lat.N_CELLS == 126
    assert lat.LATENT_SIZE == 126 + lat.N_SHAPE + lat.N_TEXTURE


def test_latent_from_joint_spreads_over_the_prior():
    joint = np.zeros((2, 9))
    joint[1, 4] = 1.0
    latent = lat.latent_from_joint(joint)
    assert latent.dtype == np.float32 and latent.shape == (lat.LATENT_SIZE,)
    assert latent[: lat.N_CELLS].sum() == pytest.approx(1.0)
    cells = [lat.cell_index("female", "30-39", race) for race in lat.RACES]
    assert np.allclose(latent[cells], 1 / 7)
    assert np.count_nonzero(latent[: lat.N_CELLS]) == 7
    assert not latent[lat.N_CELLS :].any()


def test_population_prior_is_used():
    prior = lat.race_prior_from_mapping({"Black": 3, "White": 1})
    latent = lat.latent_from_joint(lat.attributes_to_joint("male", "20-29"), prior)
    assert latent[lat.cell_index("male", "20-29", "Black")] == pytest.approx(0.75)
    assert latent[lat.cell_index("male", "20-29", "White")] == pytest.approx(0.25)
    with pytest.raises(ValueError):
        lat.race_prior_from_mapping({"Martian": 1})


def test_joint_is_normalised_and_validated():
    latent = lat.latent_from_joint(np.full((2, 9), 5.0))
    assert latent[: lat.N_CELLS].sum() == pytest.approx(1.0)
    with pytest.raises(ValueError):
        lat.latent_from_joint(np.ones((3, 9)))


def test_attributes_to_joint():
    table = lat.attributes_to_joint("female", "30-39")
    assert table.shape == (2, 9) and table[1, 4] == 1.0 and table.sum() == 1.0
    assert np.allclose(lat.attributes_to_joint(None, "70+")[:, 8], 0.5)
    assert np.allclose(lat.attributes_to_joint("Male", None)[0], 1 / 9)
    with pytest.raises(ValueError, match="age"):
        lat.attributes_to_joint("male", "31")
    with pytest.raises(ValueError, match="gender"):
        lat.attributes_to_joint("robot", None)


def test_interpolation_is_linear():
    a = lat.latent_from_joint(lat.attributes_to_joint("male", "0-2"))
    b = lat.latent_from_joint(lat.attributes_to_joint("female", "70+"))
    assert np.array_equal(lat.interpolate(a, b, 0.0), a)
    assert np.allclose(lat.interpolate(a, b, 1.0), b)
    assert np.allclose(lat.interpolate(a, b, 0.25), 0.75 * a + 0.25 * b)
    frames = lat.sweep(a, b, 5)
    assert frames.shape == (5, lat.LATENT_SIZE) and frames.dtype == np.float32
