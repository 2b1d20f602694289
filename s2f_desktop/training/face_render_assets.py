"""The fixed images of the portrait look: the soft face mask (alpha), the studio backdrop and the vignette."""

from __future__ import annotations

import numpy as np

from s2f_desktop.training import face_geometry as geo

WINDOW_RX, WINDOW_RY = 0.41, 0.52  # soft oval window around the head (canvas units)
WINDOW_FADE_START = 0.55  # fraction of the window radius where the fade to the backdrop begins
COVERAGE_RAMP = (0.45, 0.97)
TOP_FADE = 0.10  # canvas units over which the head fades out above the photos' top edge
BOTTOM_FADE = (0.97, 0.83)  # the neck fades out before the photos' bottom edge (canvas y)  # fade where fewer photos reach: no hard edge where the photo crops ended
# Low-key studio backdrop: averaged hair is a soft dark blur, which melts into a dark ground instead of
# drawing a halo on a light one.
BACKDROP_CENTRE = np.array([0.30, 0.30, 0.31])
BACKDROP_EDGE = np.array([0.12, 0.12, 0.13])
SHARPEN_SIGMA_PX = 1.2
# unsharp-mask amount per age bin (0-2 ... 70+): averaging softens fine detail, most visibly in older faces
DETAIL_BY_AGE = (0.4, 0.45, 0.5, 0.6, 0.7, 0.85, 1.0, 1.15, 1.3)


def smoothstep(edge0: float, edge1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - edge0) / (edge1 - edge0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def top_rows(coverage: np.ndarray, level: float = 0.9) -> np.ndarray:
    """Per column, the first texture row that most photos reach (the crops end around mid-forehead)."""
    reached = coverage >= level
    first = np.where(reached.any(0), reached.argmax(0), coverage.shape[0] - 1)
    return np.minimum(first + 2, coverage.shape[0] - 1)


def extend_upwards(images: np.ndarray, top: np.ndarray, blur_px: float = 5.0) -> np.ndarray:
    """Continue (..., H, W) images above each column's `top` row with a blurred copy of that row, so the head
    fades into the backdrop with a rounded top instead of the crop's straight edge. Linear in the images."""
    from scipy.ndimage import gaussian_filter1d

    h = images.shape[-2]
    rows = np.arange(h)[:, None]
    source_rows = np.maximum(rows, top[None, :])  # (H, W): row to copy from
    cols = np.arange(images.shape[-1])[None, :]
    smeared = images[..., source_rows, cols]
    smeared = gaussian_filter1d(smeared, blur_px, axis=-1, mode="nearest")
    blend = np.clip((top[None, :] + 4 - rows) / 6.0, 0.0, 1.0)  # 1 above the top row, 0 a few rows below
    return images * (1 - blend) + smeared * blend


def face_alpha(mesh: geo.Mesh, points: np.ndarray, coverage: np.ndarray) -> np.ndarray:
    """Soft mask over the texture raster: where the photos had pixels, inside a soft oval window, so the
    averaged hair/background fades into the studio backdrop instead of ending at an edge; above the crops'
    top edge the (extended) head fades out over TOP_FADE."""
    h, w = coverage.shape
    top = top_rows(coverage)
    centre = np.array([0.5, mesh.centre[1] + 0.02])
    radii = np.array([WINDOW_RX, WINDOW_RY])
    r = np.sqrt((((points - centre) / radii) ** 2).sum(1))
    window = 1.0 - smoothstep(WINDOW_FADE_START, 1.0, r)
    extended = extend_upwards(coverage[None], top, blur_px=1.0)[0]
    ys = points[:, 1].reshape(h, w)
    y_top = ys[np.clip(np.median(top).astype(int), 0, h - 1), 0]
    fade_top = smoothstep(y_top - TOP_FADE, y_top + 0.02, ys)
    fade_bottom = smoothstep(*BOTTOM_FADE, ys)
    alpha = window * smoothstep(*COVERAGE_RAMP, extended.ravel()) * (fade_top * fade_bottom).ravel()
    return alpha.astype(np.float32)


def sharpen(images: np.ndarray, amounts: np.ndarray) -> np.ndarray:
    """Unsharp mask over (N, C, H, W) images with one amount per image."""
    from scipy.ndimage import gaussian_filter

    sigma = [0.0] * (images.ndim - 2) + [SHARPEN_SIGMA_PX, SHARPEN_SIGMA_PX]
    detail = images - gaussian_filter(images, sigma, mode="nearest")
    return images + np.asarray(amounts).reshape(-1, *([1] * (images.ndim - 1))) * detail


def backdrop_and_vignette(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Studio backdrop (3, P) and vignette (P,) at canvas points (both smooth)."""
    # light falls on the backdrop a little above the centre, behind the head
    r = np.hypot((points[:, 0] - 0.5) / 0.62, (points[:, 1] - 0.42) / 0.7)
    t = smoothstep(0.0, 1.25, r)[:, None]
    backdrop = (BACKDROP_CENTRE * (1 - t) + BACKDROP_EDGE * t).T
    rv = np.hypot(points[:, 0] - 0.5, points[:, 1] - 0.5) / 0.5
    vignette = 1.0 - 0.22 * smoothstep(0.55, 1.45, rv)
    return backdrop.astype(np.float32), vignette.astype(np.float32)


REDNESS_PULL = 0.4  # share of each group's extra/missing skin redness (Lab a*) removed: photo colour casts


def balance_redness(images: np.ndarray, region: np.ndarray) -> np.ndarray:
    """(N, 3, H, W) RGB group means: shift each image's Lab a* so its skin (the boolean `region`) moves
    REDNESS_PULL of the way to the median over all images. Lightness and yellowness (b*) - where most real
    differences between groups lie - are left alone; this removes the pink/red casts of some photo sets."""
    import cv2

    labs = [cv2.cvtColor(np.clip(im.transpose(1, 2, 0), 0, 1).astype(np.float32), cv2.COLOR_RGB2Lab) for im in images]
    redness = np.array([lab[region, 1].mean() for lab in labs])
    target = np.median(redness)
    out = np.empty_like(images)
    for i, lab in enumerate(labs):
        lab[..., 1] += REDNESS_PULL * (target - redness[i])
        out[i] = cv2.cvtColor(lab, cv2.COLOR_Lab2RGB).transpose(2, 0, 1)
    return out
