"""Decoder speed: milliseconds per portrait (median of many renders after one warm-up), one CPU thread."""

from __future__ import annotations

import time

import numpy as np


def measure(quick: bool) -> dict[str, object]:
    from s2f_desktop.portrait import latent as lat
    from s2f_desktop.portrait.face_model import SUPPORTED_SIZES, load_face_model

    model = load_face_model(threads=1)
    rng = np.random.default_rng(0)
    figures: dict[str, object] = {"decoder_provider": model.loaded.provider_label, "decoder_threads": 1}
    repeats = 15 if quick else 60
    for size in SUPPORTED_SIZES:
        # a fresh posterior each time, as in the live app (no cached result can help)
        joints = rng.dirichlet(np.ones(18), size=repeats + 1).reshape(-1, 2, 9)
        latents = [lat.latent_from_joint(j) for j in joints]
        model.render(latents[0], size)  # warm-up
        times = []
        for latent in latents[1:]:
            start = time.perf_counter()
            model.render(latent, size)
            times.append(time.perf_counter() - start)
        figures[f"decoder_ms_per_portrait_{size}"] = float(np.median(times) * 1000.0)
    return figures
