"""What the user controls about the portrait: the population prior and the Explore overrides.

Ethnicity / skin tone is never read from the voice (no model trained on labelled voices supports it): the face
model's seven groups are mixed by this stated prior, balanced unless the user changes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from s2f_desktop.portrait.latent import AGE_BINS, RACES, balanced_race_prior


@dataclass(frozen=True)
class PortraitSettings:
    race_prior: tuple[float, ...] = field(default_factory=lambda: tuple(balanced_race_prior()))
    p_male_override: float | None = None  # Explore: replace the voice's P(male)
    age_bin_override: str | None = None  # Explore: replace the voice's age distribution with one bin
    size: int = 256

    @property
    def prior_is_balanced(self) -> bool:
        return bool(np.allclose(self.race_prior, balanced_race_prior(), atol=1e-6))

    def prior_description(self) -> str:
        if self.prior_is_balanced:
            return "balanced over all seven groups of the face model"
        parts = [f"{name} {weight:.0%}" for name, weight in zip(RACES, self.race_prior, strict=True) if weight > 0.005]
        return ", ".join(parts)

    def to_json(self) -> dict[str, object]:
        return {
            "population_prior": {name: round(float(w), 6) for name, w in zip(RACES, self.race_prior, strict=True)},
            "p_male_override": self.p_male_override,
            "age_bin_override": self.age_bin_override,
            "portrait_size": self.size,
        }


def apply_overrides(joint: np.ndarray, settings: PortraitSettings) -> np.ndarray:
    """The (2, 9) gender x age table after the Explore overrides (the voice's estimate where none is set)."""
    table = np.asarray(joint, dtype=np.float64)
    if settings.p_male_override is not None:
        p = float(np.clip(settings.p_male_override, 0.0, 1.0))
        table = np.outer([p, 1.0 - p], table.sum(axis=0))
    if settings.age_bin_override is not None:
        ages = np.zeros(len(AGE_BINS))
        ages[AGE_BINS.index(settings.age_bin_override)] = 1.0
        table = np.outer(table.sum(axis=1), ages)
    return table / max(table.sum(), 1e-12)
