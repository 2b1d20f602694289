"""The face latent: the contract between the voice side and the face decoder (numpy only).

Layout of the float32 vector (length `LATENT_SIZE`, see also models/face_decoder.json):

- `[0:126]`  weights over the full gender(2) x age-bin(9) x race(7) grid, cell index
  `g * 63 + a * 7 + r` (orders in GENDERS, AGE_BINS, RACES). Non-negative; the decoder renormalises them to sum
  to 1. Cells with too few faces were merged with neighbours when the model was built: they share the merged
  mean, so any posterior over the grid maps directly.
- `[126:126+N_SHAPE]` shape component coefficients (units: standard deviations across real faces), default 0.
- `[126+N_SHAPE:]` texture component coefficients (same units), default 0.

Mixing is linear, so interpolating two latents gives a smooth morph.
"""

from __future__ import annotations

import numpy as np

GENDERS = ("male", "female")
AGE_BINS = ("0-2", "3-9", "10-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70+")
RACES = ("White", "Black", "East Asian", "Southeast Asian", "Indian", "Middle Eastern", "Latino_Hispanic")
N_CELLS = len(GENDERS) * len(AGE_BINS) * len(RACES)  # 126
N_SHAPE = 8
N_TEXTURE = 8
LATENT_SIZE = N_CELLS + N_SHAPE + N_TEXTURE


def cell_index(gender: str, age_bin: str, race: str) -> int:
    return GENDERS.index(gender) * 63 + AGE_BINS.index(age_bin) * 7 + RACES.index(race)


def balanced_race_prior() -> np.ndarray:
    return np.full(len(RACES), 1.0 / len(RACES))


def race_prior_from_mapping(weights: dict[str, float]) -> np.ndarray:
    """A population prior given as {race: weight}; unnamed groups get 0. Raises ValueError on unknown names."""
    prior = np.zeros(len(RACES))
    for name, value in weights.items():
        if name not in RACES:
            raise ValueError(f"unknown group {name!r}; expected one of {', '.join(RACES)}")
        prior[RACES.index(name)] = max(float(value), 0.0)
    if prior.sum() <= 0:
        raise ValueError("the population prior needs at least one positive weight")
    return prior / prior.sum()


def latent_from_joint(
    joint: np.ndarray,
    race_prior: np.ndarray | None = None,
    shape: np.ndarray | None = None,
    texture: np.ndarray | None = None,
) -> np.ndarray:
    """Latent for a joint P(gender, age bin) table of shape (2, 9) and a population prior over the 7 groups."""
    table = np.asarray(joint, dtype=np.float64)
    if table.shape != (len(GENDERS), len(AGE_BINS)):
        raise ValueError(f"joint must have shape (2, 9), got {table.shape}")
    table = np.clip(np.nan_to_num(table), 0.0, None)
    if table.sum() <= 0:
        table = np.ones_like(table)
    table = table / table.sum()
    prior = balanced_race_prior() if race_prior is None else np.asarray(race_prior, dtype=np.float64)
    if prior.shape != (len(RACES),) or prior.sum() <= 0:
        raise ValueError("race_prior must be 7 non-negative weights with a positive sum")
    prior = np.clip(prior, 0.0, None) / prior.sum()
    latent = np.zeros(LATENT_SIZE, np.float32)
    latent[:N_CELLS] = (table[:, :, None] * prior[None, None, :]).reshape(-1)
    if shape is not None:
        latent[N_CELLS : N_CELLS + N_SHAPE] = np.asarray(shape, np.float32)[:N_SHAPE]
    if texture is not None:
        latent[N_CELLS + N_SHAPE :] = np.asarray(texture, np.float32)[:N_TEXTURE]
    return latent


def attributes_to_joint(gender: str | None, age_bin: str | None) -> np.ndarray:
    """A (2, 9) table for explicit attributes; None spreads evenly over that attribute."""
    table = np.zeros((len(GENDERS), len(AGE_BINS)))
    genders = range(len(GENDERS)) if gender is None else [_lookup(gender, GENDERS, "gender")]
    ages = range(len(AGE_BINS)) if age_bin is None else [_lookup(age_bin, AGE_BINS, "age")]
    for g in genders:
        for a in ages:
            table[g, a] = 1.0
    return table / table.sum()


def _lookup(value: str, options: tuple[str, ...], what: str) -> int:
    cleaned = value.strip()
    for i, option in enumerate(options):
        if cleaned.lower() == option.lower():
            return i
    raise ValueError(f"unknown {what} {value!r}; expected one of {', '.join(options)}")


def interpolate(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    """The latent a fraction t of the way from a to b (linear, so the morph is smooth)."""
    return ((1.0 - t) * np.asarray(a, np.float32) + t * np.asarray(b, np.float32)).astype(np.float32)


def sweep(a: np.ndarray, b: np.ndarray, steps: int) -> np.ndarray:
    """`steps` latents from a to b inclusive, as a (steps, LATENT_SIZE) float32 batch."""
    return np.stack([interpolate(a, b, t) for t in np.linspace(0.0, 1.0, steps)])
