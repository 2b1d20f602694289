"""Crops of speech evidence from the embedding cache, labels as interval likelihoods, and balancing weights.

A crop of n consecutive 1.6 s windows has the utterance embedding normalised-mean(windows) — what the app has
after that much speech. Training draws crop lengths log-uniformly over 1-16 s (honest about short evidence),
random channel variants, random positions; short crops (< 1.6 s) use the cached zero-padded embeddings.
"""

from __future__ import annotations

import hashlib

import numpy as np

from s2f_desktop.dsp import mel
from s2f_desktop.inference.voice_attributes import AGE_BIN_EDGES, FINE_AGE_EDGES
from s2f_desktop.training.voice_data import Speaker, SpeakerEmbeddings

N_FINE = len(FINE_AGE_EDGES) - 1
N_CELLS = 2 * N_FINE


def windows_for_seconds(seconds: float) -> int:
    """Complete windows in `seconds` of speech (0 below 1.6 s)."""
    return mel.complete_window_count(int(round(seconds * mel.SAMPLE_RATE)))


def seconds_for_windows(n: int) -> float:
    """Speech needed for n complete windows (what the accumulator has counted when the n-th completes)."""
    return (mel.window_start_sample(n - 1) + mel.frames_needed_samples(mel.WINDOW_FRAMES)) / mel.SAMPLE_RATE


def label_target(speaker: Speaker) -> np.ndarray:
    """(38,) weights over [male fine bins, female fine bins]: the label interval's overlap with each fine bin.

    An age label is the interval [age_low, age_high + 1) in years (an exact age 25 covers [25, 26), the decade
    20-29 covers [20, 30)); the likelihood of a prediction is sum(weight_c * p_c), never the decade's middle.
    """
    edges = np.array(FINE_AGE_EDGES, dtype=np.float64)
    low, high = speaker.age_low, speaker.age_high + 1.0
    overlap = np.clip(np.minimum(edges[1:], high) - np.maximum(edges[:-1], low), 0, None)
    weights = overlap / overlap.sum()
    target = np.zeros(N_CELLS, dtype=np.float32)
    offset = 0 if speaker.gender == "male" else N_FINE
    target[offset : offset + N_FINE] = weights
    return target


def balance_cell(speaker: Speaker) -> tuple[str, str, int]:
    middle = (speaker.age_low + speaker.age_high) / 2
    return speaker.corpus, speaker.gender, int(np.searchsorted(np.array(AGE_BIN_EDGES[1:-1]), middle, side="right"))


def balance_weights(speakers: list[Speaker], floor: int = 8) -> np.ndarray:
    """Per-speaker weights giving each (corpus, gender, age bin) cell equal total weight (tiny cells capped)."""
    cells: dict[tuple[str, str, int], int] = {}
    for speaker in speakers:
        cells[balance_cell(speaker)] = cells.get(balance_cell(speaker), 0) + 1
    weights = np.array([1.0 / max(cells[balance_cell(s)], floor) for s in speakers])
    return weights / weights.mean()


def seconds_feature(seconds: np.ndarray) -> np.ndarray:
    return np.asarray(seconds, dtype=np.float32)


def sample_crops(
    speakers: list[Speaker],
    cache: dict[str, SpeakerEmbeddings],
    per_speaker: int,
    rng: np.random.Generator,
    variants: tuple[int, ...] | None = None,
    seconds_range: tuple[float, float] = (1.0, 16.0),
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random crops: (embeddings (N, 256), speech seconds (N,), speaker index (N,))."""
    embeddings, seconds, owners = [], [], []
    log_low, log_high = np.log(seconds_range[0]), np.log(seconds_range[1])
    for index, speaker in enumerate(speakers):
        item = cache[speaker.key]
        pool = variants if variants is not None else tuple(range(len(item.windows)))
        for _ in range(per_speaker):
            variant = int(rng.choice(pool))
            wanted = float(np.exp(rng.uniform(log_low, log_high)))
            windows = item.windows[variant]
            n = windows_for_seconds(wanted)
            if n == 0 or len(windows) == 0:
                k = int(rng.integers(len(item.short[variant])))
                embeddings.append(item.short[variant][k])
                seconds.append(float(item.short_seconds[variant][k]))
            else:
                n = min(n, len(windows))
                start = int(rng.integers(0, len(windows) - n + 1))
                mean = windows[start : start + n].mean(axis=0)
                embeddings.append(mean / np.linalg.norm(mean))
                seconds.append(seconds_for_windows(n))
            owners.append(index)
    return np.array(embeddings, dtype=np.float32), np.array(seconds, dtype=np.float32), np.array(owners)


def fixed_length_crops(
    item: SpeakerEmbeddings, seconds: float | None, count: int, seed: str, short: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Evaluation crops of the original recording (variant 0): `count` evenly spread crops of `seconds`
    (None = all speech). Speakers with less speech give all they have (the reported seconds say so)."""
    windows = item.windows[0]
    if seconds is not None and windows_for_seconds(seconds) == 0:
        assert short is not None
        return short[:count], np.full(min(count, len(short)), seconds, dtype=np.float32)
    n = len(windows) if seconds is None else min(windows_for_seconds(seconds), len(windows))
    if n == 0:
        assert short is not None
        return short[:1], np.array([item.speech_seconds], dtype=np.float32)
    positions = len(windows) - n + 1
    rng = np.random.default_rng(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:4], "little"))
    starts = np.unique(np.linspace(0, positions - 1, num=min(count, positions)).round().astype(int))
    if len(starts) < count and positions > count:
        starts = np.sort(rng.choice(positions, size=count, replace=False))
    means = np.stack([windows[s : s + n].mean(axis=0) for s in starts])
    means /= np.linalg.norm(means, axis=1, keepdims=True)
    used = item.speech_seconds if seconds is None else seconds_for_windows(n)
    return means.astype(np.float32), np.full(len(starts), used, dtype=np.float32)
