"""Textures in the mean-shape frame: piecewise-affine warp of every photo, per-face lighting/colour
normalisation, per-group means (mirror-symmetrised) and principal components of individual variation."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from s2f_desktop.training import face_geometry as geo

COLOUR_PULL = 0.8  # how far each face's skin colour/exposure is pulled to its group's median (1 = fully)


class TextureWarper:
    """Precomputed barycentric map of the texture canvas onto the mean mesh, reused for every face."""

    def __init__(self, mesh: geo.Mesh, box: tuple[float, float, float, float], width: int, height: int):
        """The texture covers `box` (x0, y0, x1, y1) of the unit canvas, symmetric about x = 0.5."""
        self.mesh, self.box, self.width, self.height = mesh, box, width, height
        points = geo.pixel_centres(box, width, height)
        self.tri_of, self.bary = geo.locate(mesh.extend(mesh.mean), mesh.triangles, points)
        if (self.tri_of < 0).any():
            raise RuntimeError("texture box not fully covered by the mesh")
        self.corner_idx = mesh.triangles[self.tri_of]  # (H*W, 3)
        from matplotlib.path import Path as PolyPath

        hull = mesh.mean[mesh.hull]
        shrunk = mesh.centre + 0.85 * (hull - mesh.centre)
        inside = PolyPath(shrunk).contains_points(points)
        self.face_region = inside  # skin area used to measure lighting and colour
        x, y = points[inside, 0] - mesh.centre[0], points[inside, 1] - mesh.centre[1]
        self.plane_pinv = np.linalg.pinv(np.column_stack([np.ones_like(x), x, y]))
        self.xs_centred = (points[:, 0] - mesh.centre[0]).reshape(height, width)

    def warp(self, image: np.ndarray, source_vertices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """image (h, w, 3) uint8 + extended vertices in its pixel coordinates -> texture (H, W, 3) uint8 and a
        validity mask (H, W) bool (False where the photo had no pixels: outside it, or black padding)."""
        import cv2

        corners = source_vertices[self.corner_idx]  # (H*W, 3, 2)
        xy = (self.bary[:, :, None] * corners).sum(1).reshape(self.height, self.width, 2).astype(np.float32)
        # vertices are in pixel-corner units (0..w); remap wants pixel centres
        xy -= 0.5
        out = cv2.remap(image, xy[..., 0], xy[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
        h, w = image.shape[:2]
        valid = (xy[..., 0] >= 0) & (xy[..., 0] <= w - 1) & (xy[..., 1] >= 0) & (xy[..., 1] <= h - 1)
        # face chips are padded with pure black where the original photo ended
        padding = (image.max(axis=2) <= 6).astype(np.uint8)
        if padding.any():
            padding = cv2.dilate(padding, np.ones((5, 5), np.uint8))
            pad_t = cv2.remap(padding * 255, xy[..., 0], xy[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
            valid &= pad_t < 64
        return out, valid

    def face_colour(self, texture: np.ndarray) -> np.ndarray:
        return texture.reshape(-1, 3)[self.face_region].astype(np.float64).mean(0)

    def normalise(self, texture: np.ndarray, target_colour: np.ndarray) -> np.ndarray:
        """Remove a left-right lighting gradient and pull the skin colour toward the group's median."""
        img = texture.astype(np.float32) / 255.0
        lum = img.reshape(-1, 3)[self.face_region].mean(1)
        a, b, _c = self.plane_pinv @ lum  # only the left-right slope is removed: top-down light is natural
        if a > 1e-3:
            ratio = np.clip(a / np.maximum(a + b * self.xs_centred, 1e-3), 0.7, 1.4)
            img = img * ratio[..., None]
        colour = img.reshape(-1, 3)[self.face_region].mean(0)
        gain = np.clip((target_colour / np.maximum(colour, 1e-3)) ** COLOUR_PULL, 0.6, 1.6)
        return np.clip(img * gain, 0.0, 1.0)


def warp_all(rows, images: Path, source_vertices: np.ndarray, warper: TextureWarper, log=print):
    """Warp every kept photo: (n, T, T, 3) uint8 textures and (n, T, T) validity masks."""
    import cv2

    n = len(rows)
    textures = np.zeros((n, warper.height, warper.width, 3), np.uint8)
    valid = np.zeros((n, warper.height, warper.width), bool)
    start = time.time()
    for i, row in enumerate(rows):
        bgr = cv2.imread(str(images / row.path))
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        textures[i], valid[i] = warper.warp(rgb, source_vertices[i])
        if (i + 1) % 2000 == 0:
            log(f"warped {i + 1}/{n} ({(i + 1) / (time.time() - start):.0f}/s)")
    return textures, valid


def group_means(textures, valid, groups, n_groups, warper: TextureWarper, log=print):
    """Normalised, mirror-symmetrised mean texture per group (U, H, W, 3) float32, plus the per-group target
    colours and the coverage (fraction of faces with pixels) per texture pixel."""
    colours = np.stack([warper.face_colour(t) for t in textures])
    targets = np.stack([np.median(colours[groups == g], axis=0) for g in range(n_groups)]) / 255.0
    sums = np.zeros((n_groups, warper.height, warper.width, 3))
    counts = np.zeros((n_groups, warper.height, warper.width))
    for i in range(len(textures)):
        g = groups[i]
        img = warper.normalise(textures[i], targets[g])
        sums[g] += img * valid[i][..., None]
        counts[g] += valid[i]
    sums = sums + sums[:, :, ::-1]  # mirror: the mean shape and canvas are symmetric
    counts = counts + counts[:, :, ::-1]
    overall = sums.sum(0) / np.maximum(counts.sum(0), 1)[..., None]
    means = np.where(counts[..., None] > 0, sums / np.maximum(counts, 1)[..., None], overall[None])
    coverage = counts.sum(0) / (2 * len(textures))
    return means.astype(np.float32), targets, coverage.astype(np.float32)


def texture_components(textures, valid, groups, means, targets, warper, n_components, sample, rng, log=print):
    """Principal components of individual texture variation around the group means, scaled to 1 SD."""
    pick = rng.choice(len(textures), size=min(sample, len(textures)), replace=False)
    rows = []
    for i in pick:
        img = warper.normalise(textures[i], targets[groups[i]])
        res = (img - means[groups[i]]) * valid[i][..., None]
        rows.append(res.reshape(-1))
        rows.append(res[:, ::-1].reshape(-1))
    x = np.asarray(rows, np.float32)
    gram = x @ x.T
    vals, vecs = np.linalg.eigh(gram.astype(np.float64))
    order = np.argsort(vals)[::-1][:n_components]
    comps = (vecs[:, order].T @ x).astype(np.float64)
    comps /= np.linalg.norm(comps, axis=1, keepdims=True)
    sd = np.sqrt(vals[order] / (len(x) - 1))
    log(f"texture components: SD {np.round(sd, 2).tolist()}")
    return (comps * sd[:, None]).astype(np.float32).reshape(n_components, *means.shape[1:]), sd


def shape_components(residuals: np.ndarray, n_components: int):
    """PCA of (n, 478, 2) shape residuals -> (k, 478, 2) components scaled to 1 SD, and the SDs."""
    x = residuals.reshape(len(residuals), -1).astype(np.float64)
    _, s, vt = np.linalg.svd(x - x.mean(0), full_matrices=False)
    sd = s[:n_components] / np.sqrt(len(x) - 1)
    return (vt[:n_components] * sd[:, None]).reshape(n_components, -1, 2).astype(np.float32), sd
