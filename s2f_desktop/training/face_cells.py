"""Cells of the gender x age-bin x race grid, and merging the small ones so every mean averages >= 50 people."""

from __future__ import annotations

import numpy as np

from s2f_desktop.portrait.latent import AGE_BINS, GENDERS, N_CELLS, RACES

MIN_FACES_PER_MEAN = 50

# Groups whose average faces look alike, used only to pick a merge partner for a too-small cell.
RACE_NEIGHBOURS = {
    "White": ("Middle Eastern", "Latino_Hispanic"),
    "Middle Eastern": ("White", "Latino_Hispanic", "Indian"),
    "Latino_Hispanic": ("White", "Middle Eastern", "Southeast Asian"),
    "Indian": ("Middle Eastern", "Southeast Asian", "Black"),
    "East Asian": ("Southeast Asian",),
    "Southeast Asian": ("East Asian", "Latino_Hispanic", "Indian"),
    "Black": ("Indian", "Latino_Hispanic"),
}


def cell_of(gender: str, age: str, race: str) -> int:
    return GENDERS.index(gender) * 63 + AGE_BINS.index(age) * 7 + RACES.index(race)


def cell_parts(cell: int) -> tuple[int, int, int]:
    return cell // 63, (cell // 7) % 9, cell % 7


def cell_label(cell: int) -> str:
    g, a, r = cell_parts(cell)
    return f"{GENDERS[g]} {AGE_BINS[a]} {RACES[r]}"


def _neighbours(cell: int) -> list[tuple[int, int]]:
    """(neighbour cell, preference rank; lower is preferred).

    In the middle ages a small cell joins the next age bin of the same group. At the two ends (0-2, 70+) the
    age itself is what the portrait must show, so a small cell first joins a similar-looking group of the same
    age (and babies of the other gender, whose faces barely differ) and only then the next age bin.
    """
    g, a, r = cell_parts(cell)
    extreme = a in (0, len(AGE_BINS) - 1)
    out = []
    for da in (-1, 1):
        if 0 <= a + da < len(AGE_BINS):
            out.append((g * 63 + (a + da) * 7 + r, 1 if extreme else 0))
    for name in RACE_NEIGHBOURS[RACES[r]]:
        out.append((g * 63 + a * 7 + RACES.index(name), 0 if extreme else 1))
    if a == 0:
        out.append(((1 - g) * 63 + a * 7 + r, 0))
    return out


def merge_cells(counts: np.ndarray, minimum: int = MIN_FACES_PER_MEAN) -> np.ndarray:
    """Group id per cell (126,), merging the smallest group into a neighbouring group until all have >= minimum.

    Among equally preferred neighbours the purest (fewest cells), then smallest, group is chosen: groups stay
    as fine and as homogeneous as the data allows.
    """
    group = np.arange(N_CELLS)
    while True:
        sizes = np.bincount(group, weights=counts, minlength=N_CELLS)
        live = [gid for gid in np.unique(group) if sizes[gid] < minimum]
        if not live:
            break
        small = min(live, key=lambda gid: sizes[gid])
        members = np.flatnonzero(group == small)
        candidates: dict[int, tuple[int, int, float]] = {}
        for cell in members:
            for other, rank in _neighbours(int(cell)):
                gid = int(group[other])
                if gid == small:
                    continue
                key = (rank, int((group == gid).sum()), sizes[gid])
                if gid not in candidates or key < candidates[gid]:
                    candidates[gid] = key
        if not candidates:
            raise RuntimeError(f"cannot merge {cell_label(int(members[0]))}: no neighbours")
        target = min(candidates, key=lambda gid: candidates[gid])
        group[group == small] = target
    # renumber 0..U-1 in cell order
    _, dense = np.unique(group, return_inverse=True)
    return dense.astype(np.int64)
