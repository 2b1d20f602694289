"""Metrics of the voice model on held-out speakers (one prediction per evaluation crop)."""

from __future__ import annotations

from collections import Counter

import numpy as np

from s2f_desktop.inference.voice_attributes import CHILD_AGE, FINE_AGE_EDGES
from s2f_desktop.training.voice_data import Speaker

ADULT_FINE = FINE_AGE_EDGES.index(20)  # fine bins from 20 years on
CHILD_FINE = FINE_AGE_EDGES.index(CHILD_AGE)  # fine bins below 13


def groups(speaker: Speaker) -> list[str]:
    """The report groups a speaker belongs to (gender accuracy is reported per group)."""
    out = ["all", f"corpus:{speaker.corpus}"]
    female = speaker.gender == "female"
    if speaker.age_high < CHILD_AGE:
        out.append("girls" if female else "boys")
        out.append("children")
    elif speaker.age_high < 20:
        out.append("teens")
    else:
        out.append("women" if female else "men")
        out.append("adults")
        out.append(f"adults:{speaker.corpus}")
    if speaker.age_low >= 50:
        out.append("50+")
    return out


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> tuple[float, list]:
    """ECE of binary decisions: confidence = max(p, 1 - p); also the reliability table (bin, conf, acc, n)."""
    edges = np.linspace(0.5, 1.0, bins + 1)
    index = np.clip(np.searchsorted(edges, confidence, side="right") - 1, 0, bins - 1)
    ece, table = 0.0, []
    for b in range(bins):
        mask = index == b
        if mask.any():
            gap = abs(confidence[mask].mean() - correct[mask].mean())
            ece += mask.mean() * gap
            table.append([float(edges[b]), float(confidence[mask].mean()), float(correct[mask].mean()), int(mask.sum())])
    return float(ece), table


def compute(speakers: list[Speaker], owner: np.ndarray, out: dict[str, np.ndarray]) -> dict[str, float]:
    """All figures for one set of crops. Each crop counts once; speakers have the same number of crops."""
    p_male = out["p_male"]
    joint_fine = out["joint_fine"]
    age = out["age_years"]
    male = np.array([speakers[i].gender == "male" for i in owner])
    gender_ok = (p_male >= 0.5) == male
    figures: dict[str, float] = {}
    member: dict[str, list[int]] = {}
    for row, i in enumerate(owner):
        for group in groups(speakers[i]):
            member.setdefault(group, []).append(row)
    for group, rows in member.items():
        figures[f"gender_acc[{group}]"] = float(gender_ok[rows].mean())
    low = np.array([speakers[i].age_low for i in owner])
    high = np.array([speakers[i].age_high for i in owner])
    p_child = joint_fine[:, :, :CHILD_FINE].sum(axis=(1, 2))
    is_child = high < CHILD_AGE
    figures["child_adult_acc"] = float(((p_child >= 0.5) == is_child).mean())
    figures["child_recall"] = float((p_child[is_child] >= 0.5).mean()) if is_child.any() else float("nan")
    figures["adult_as_adult"] = float((p_child[~is_child] < 0.5).mean()) if (~is_child).any() else float("nan")
    boys = is_child & male
    if boys.any():
        p_woman = joint_fine[boys, 1, ADULT_FINE:].sum(axis=1)
        figures["boys_not_women"] = float((p_woman < 0.5).mean())
    exact = low == high
    if exact.any():
        figures["age_mae_exact"] = float(np.abs(age[exact] - low[exact]).mean())
    decade = ~exact
    if decade.any():
        within = (age[decade] >= low[decade] - 10) & (age[decade] < high[decade] + 1 + 10)
        figures["decade_pm10"] = float(within.mean())
        in_decade = (age[decade] >= low[decade]) & (age[decade] < high[decade] + 1)
        figures["in_decade"] = float(in_decade.mean())
        for label_low in np.unique(low[decade]):
            rows = decade & (low == label_low)
            name = f"{int(label_low)}-{int(high[rows][0])}"
            inside = (age[rows] >= low[rows] - 10) & (age[rows] < high[rows] + 1 + 10)
            figures[f"decade_pm10[{name}]"] = float(inside.mean())
            figures[f"age_bias[{name}]"] = float((age[rows] - (low[rows] + high[rows] + 1) / 2).mean())
    old = low >= 50
    if old.any():
        figures["50+_at_40+"] = float((age[old] >= 40).mean())
    confidence = np.maximum(p_male, 1 - p_male)
    figures["gender_ece"], _ = expected_calibration_error(confidence, gender_ok)
    return figures


def language_accuracy(speakers: list[Speaker], owner: np.ndarray, p_male: np.ndarray, top: int = 10) -> dict[str, float]:
    male = np.array([speakers[i].gender == "male" for i in owner])
    ok = (p_male >= 0.5) == male
    languages = np.array([speakers[i].language or "?" for i in owner])
    counts = Counter(s.language or "?" for s in speakers)
    return {lang: float(ok[languages == lang].mean()) for lang, _ in counts.most_common(top) if (languages == lang).any()}
