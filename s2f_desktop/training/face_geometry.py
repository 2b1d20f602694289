"""Shape geometry: similarity Procrustes, the canvas (passport framing), mirror symmetry, and the
piecewise-affine mesh (landmarks + a ring around the head + the canvas border) used for every warp."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RIGHT_IRIS, LEFT_IRIS = 468, 473  # MediaPipe iris centres (the subject's right / left eye)
EYE_Y = 0.43  # portrait framing on a unit canvas: eyes a little above the middle
EYE_DISTANCE = 0.28  # inter-pupil distance as a fraction of the canvas width (the face fills the frame,
# as in the photos: they hold little above the forehead, so a looser crop would show a floating mask)
RING_FACTOR = 1.45  # ring of extra mesh points around the face hull: the hair / head outline
RING_FOLLOW = 0.5  # how much the ring follows an individual face's outline (the rest is a rigid similarity)


def similarity_fit(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """2x3 matrix of the similarity (scale, rotation, shift) mapping src points onto dst in least squares."""
    sc, dc = src.mean(0), dst.mean(0)
    s, d = src - sc, dst - dc
    a = (s * d).sum()
    b = (s[:, 0] * d[:, 1] - s[:, 1] * d[:, 0]).sum()
    norm = (s**2).sum()
    ca, sa = a / norm, b / norm
    rot = np.array([[ca, -sa], [sa, ca]])
    return np.hstack([rot, (dc - rot @ sc)[:, None]])


def apply(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    return points @ matrix[:, :2].T + matrix[:, 2]


def invert(matrix: np.ndarray) -> np.ndarray:
    lin = np.linalg.inv(matrix[:, :2])
    return np.hstack([lin, (-lin @ matrix[:, 2])[:, None]])


def mirror_permutation(shape: np.ndarray) -> np.ndarray:
    """For each landmark, the index of its mirror partner (nearest point of the x-flipped, centred shape)."""
    centre_x = 0.5 * (shape[RIGHT_IRIS, 0] + shape[LEFT_IRIS, 0])
    flipped = shape.copy()
    flipped[:, 0] = 2 * centre_x - flipped[:, 0]
    dist = ((shape[:, None, :] - flipped[None, :, :]) ** 2).sum(-1)
    return dist.argmin(1)


def mirror(shapes: np.ndarray, perm: np.ndarray) -> np.ndarray:
    """Mirror shapes (..., n, 2) on the unit canvas about x = 0.5."""
    out = shapes[..., perm, :].copy()
    out[..., 0] = 1.0 - out[..., 0]
    return out


def generalized_procrustes(shapes: np.ndarray, iterations: int = 4) -> np.ndarray:
    """Reference shape (n, 2) from similarity-aligning all shapes to their evolving mean."""
    ref = shapes[0]
    for _ in range(iterations):
        aligned = np.stack([apply(similarity_fit(s, ref), s) for s in shapes])
        ref = aligned.mean(0)
    return ref


def place_on_canvas(shape: np.ndarray) -> np.ndarray:
    """Similarity that puts the pupils of `shape` at the passport positions of the unit canvas."""
    src = shape[[RIGHT_IRIS, LEFT_IRIS]]
    dst = np.array([[0.5 - EYE_DISTANCE / 2, EYE_Y], [0.5 + EYE_DISTANCE / 2, EYE_Y]])
    # the subject's right eye appears on the image's left
    if src[0, 0] > src[1, 0]:
        dst = dst[::-1]
    return similarity_fit(src, dst)


def convex_hull_indices(points: np.ndarray) -> np.ndarray:
    from scipy.spatial import ConvexHull

    return ConvexHull(points).vertices


@dataclass
class Mesh:
    """Mean shape on the unit canvas, extended with a ring and border points, and its triangulation."""

    mean: np.ndarray  # (478, 2)
    hull: np.ndarray  # indices of the face outline
    centre: np.ndarray  # (2,)
    border: np.ndarray  # (m, 2) fixed canvas points
    triangles: np.ndarray  # (t, 3) indices into extended vertices

    def ring(self, shape: np.ndarray) -> np.ndarray:
        mean_ring = self.centre + RING_FACTOR * (self.mean[self.hull] - self.centre)
        return mean_ring + RING_FOLLOW * (shape[..., self.hull, :] - self.mean[self.hull])

    def extend(self, shape: np.ndarray) -> np.ndarray:
        """Landmarks (..., 478, 2) -> extended vertices (..., 478 + ring + border, 2)."""
        border = np.broadcast_to(self.border, shape.shape[:-2] + self.border.shape)
        return np.concatenate([shape, self.ring(shape), border], axis=-2)


def build_mesh(mean: np.ndarray) -> Mesh:
    from scipy.spatial import Delaunay

    hull = convex_hull_indices(mean)
    centre = mean[hull].mean(0)
    edge = np.linspace(-0.1, 1.1, 9)
    border = np.array(
        [(x, -0.1) for x in edge] + [(x, 1.1) for x in edge] + [(-0.1, y) for y in edge[1:-1]] + [(1.1, y) for y in edge[1:-1]]
    )
    mesh = Mesh(mean=mean, hull=hull, centre=centre, border=border, triangles=np.zeros((0, 3), int))
    mesh.triangles = Delaunay(mesh.extend(mean)).simplices
    return mesh


def pixel_centres(box: tuple[float, float, float, float], width: int, height: int) -> np.ndarray:
    """(height*width, 2) canvas coordinates of the pixel centres of a width x height raster over box."""
    x0, y0, x1, y1 = box
    xs = x0 + (np.arange(width) + 0.5) / width * (x1 - x0)
    ys = y0 + (np.arange(height) + 0.5) / height * (y1 - y0)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def locate(vertices: np.ndarray, triangles: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each point: the triangle holding it (or -1) and its barycentric weights (3,)."""
    tri_of = np.full(len(points), -1)
    bary = np.zeros((len(points), 3))
    chunk = max(1, 2_000_000 // max(len(points), 1))
    for start in range(0, len(triangles), chunk):
        tris = vertices[triangles[start : start + chunk]]  # (k, 3, 2)
        a = tris[:, 0]
        e1, e2 = tris[:, 1] - a, tris[:, 2] - a
        det = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
        det = np.where(np.abs(det) < 1e-12, np.nan, det)
        d = points[None, :, :] - a[:, None, :]  # (k, P, 2)
        u = (d[..., 0] * e2[:, None, 1] - d[..., 1] * e2[:, None, 0]) / det[:, None]
        v = (e1[:, None, 0] * d[..., 1] - e1[:, None, 1] * d[..., 0]) / det[:, None]
        inside = (u >= -1e-9) & (v >= -1e-9) & (u + v <= 1 + 1e-9)
        hit_k, hit_p = np.nonzero(inside)
        tri_of[hit_p] = start + hit_k
        bary[hit_p] = np.column_stack([1 - u[hit_k, hit_p] - v[hit_k, hit_p], u[hit_k, hit_p], v[hit_k, hit_p]])
    return tri_of, bary


def backward_field(mesh: Mesh, target_shape: np.ndarray, points: np.ndarray) -> np.ndarray:
    """(P, 2) mean-shape-frame (texture) coordinates of each canvas point for a face warped to `target_shape`:
    the inverse of the piecewise-affine warp, exact on the mesh; points outside it stay where they are."""
    target = mesh.extend(target_shape)
    source = mesh.extend(mesh.mean)
    tri_of, bary = locate(target, mesh.triangles, points)
    out = points.astype(np.float64).copy()
    ok = tri_of >= 0
    out[ok] = (bary[ok, :, None] * source[mesh.triangles[tri_of[ok]]]).sum(1)
    return out
