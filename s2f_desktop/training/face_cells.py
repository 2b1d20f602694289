"""Cells of the gender x age-bin x race grid, and merging the small ones so every mean averages >= 50 people."""

from __future__ import annotations

import numpy as np

from s2f_desktop.portrait.latent import AGE_BINS, GENDERS, N_CELLS, RACES

MIN_FACES_PER_MEAN = 50

def cell_of(gender: str, age: str, race: str) -> int:
    return GENDERS.index(gender) * 63 + AGE_BINS.index(age) * 7 + RACES.index(race)


def cell_parts(cell: int) -> tuple[int, int, int]:
    return cell // 63, (cell // 7) % 9, cell % 7


def cell_label(cell: int) -> str:
    g, a, r = cell_parts(cell)
    return f"{GENDERS[g]} {AGE_BINS[a]} {RACES[r]}"


def _neighbours(cell: int) -> list[tuple[int, int]]:
    """(neighbour cell, preference rank; lower is preferred).

    A small cell joins the next age bin of the same gender and group first, so a merged mean keeps the look
    of its group (an old face of one group never turns into a mixture of all groups). Babies first join the
    other gender (their faces barely differ); another group of the same age is the last resort.
    """
    g, a, r = cell_parts(cell)
    out = []
    if a == 0:
        out.append(((1 - g) * 63 + a * 7 + r, 0))
    for da in (-1, 1):
        if 0 <= a + da < len(AGE_BINS):
            out.append((g * 63 + (a + da) * 7 + r, 1 if a == 0 else 0))
    for other in range(len(RACES)):
        if other != r:
            out.append((g * 63 + a * 7 + other, 2))
    return out


def merge_cells(counts: np.ndarray, features: np.ndarray, minimum: int = MIN_FACES_PER_MEAN) -> np.ndarray:
    """Group id per cell (126,), merging the smallest group into a neighbouring group until all have >= minimum.

    `features` (126, d) describe each cell's average look (skin colour, shape); among the preferred
    neighbours the most similar-looking group is chosen, so merged means stay coherent faces.
    """
    group = np.arange(N_CELLS)
    weights = counts.astype(float)
    while True:
        sizes = np.bincount(group, weights=weights, minlength=N_CELLS)
        live = [gid for gid in np.unique(group) if sizes[gid] < minimum]
        if not live:
            break
        small = min(live, key=lambda gid: sizes[gid])
        members = np.flatnonzero(group == small)
        look = _group_look(members, weights, features)
        candidates: dict[int, tuple[int, float]] = {}
        for cell in members:
            for other, rank in _neighbours(int(cell)):
                gid = int(group[other])
                if gid == small:
                    continue
                distance = float(np.linalg.norm(_group_look(np.flatnonzero(group == gid), weights, features) - look))
                key = (rank, distance)
                if gid not in candidates or key < candidates[gid]:
                    candidates[gid] = key
        if not candidates:
            raise RuntimeError(f"cannot merge {cell_label(int(members[0]))}: no neighbours")
        target = min(candidates, key=lambda gid: candidates[gid])
        group[group == small] = target
    # renumber 0..U-1 in cell order
    _, dense = np.unique(group, return_inverse=True)
    return dense.astype(np.int64)


def _group_look(members: np.ndarray, weights: np.ndarray, features: np.ndarray) -> np.ndarray:
    w = weights[members]
    if w.sum() <= 0:
        return features[members].mean(0)
    return (features[members] * w[:, None]).sum(0) / w.sum()
