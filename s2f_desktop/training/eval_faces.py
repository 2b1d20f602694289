"""`s2f eval faces`: render every cell's portrait, read it back with the attribute classifier (Speech2Face's
protocol), and save a labelled contact sheet, morph strips and a JSON of the results.

Outputs (default artifacts/eval_faces/): contact_sheet.png, gender_age.png (balanced population prior),
morph_gender.png, morph_age.png, eval_faces.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

MORPH_STEPS = 9


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("artifacts/eval_faces"), help="output folder")
    parser.add_argument("--decoder", default="face_decoder.onnx", help="decoder model (name in models/ or path)")
    parser.add_argument("--classifier", default="face_attributes.onnx", help="classifier model")
    parser.add_argument("--size", type=int, default=256, help="render size")
    parser.add_argument("--thumb", type=int, default=136, help="thumbnail size on the contact sheet")


def _label(image: np.ndarray, lines: list[tuple[str, tuple[int, int, int]]]) -> np.ndarray:
    """The thumbnail with a caption band under it (the face stays uncovered)."""
    import cv2

    band = np.full((8 + 13 * len(lines), image.shape[1], 3), 28, np.uint8)
    y = 13
    for text, colour in lines:
        cv2.putText(band, text, (3, y), cv2.FONT_HERSHEY_SIMPLEX, 0.34, colour, 1, cv2.LINE_AA)
        y += 13
    return np.concatenate([image, band])


def _header(width: int, text: str, height: int = 22) -> np.ndarray:
    import cv2

    bar = np.full((height, width, 3), 245, np.uint8)
    cv2.putText(bar, text, (4, height - 7), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (20, 20, 20), 1, cv2.LINE_AA)
    return bar


def _thumb(image: np.ndarray, size: int) -> np.ndarray:
    import cv2

    return cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)


def _save(path: Path, rgb: np.ndarray) -> None:
    import cv2

    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))


def run(args: argparse.Namespace) -> int:
    from s2f_desktop.portrait import latent as lat
    from s2f_desktop.portrait.face_classifier import load_face_classifier
    from s2f_desktop.portrait.face_model import load_face_model

    args.out.mkdir(parents=True, exist_ok=True)
    decoder = load_face_model(args.decoder)
    classifier = load_face_classifier(args.classifier)
    meta = decoder.metadata

    # every cell of the grid
    latents = np.zeros((lat.N_CELLS, lat.LATENT_SIZE), np.float32)
    latents[np.arange(lat.N_CELLS), np.arange(lat.N_CELLS)] = 1.0
    images = np.concatenate([decoder.render_batch(latents[s : s + 16], args.size) for s in range(0, lat.N_CELLS, 16)])
    reads = classifier.classify_batch(list(images))
    cells = []
    for c in range(lat.N_CELLS):
        g, a, r = c // 63, (c // 7) % 9, c % 7
        read = reads[c]
        cells.append({
            "cell": c, "gender": lat.GENDERS[g], "age": lat.AGE_BINS[a], "race": lat.RACES[r],
            "faces_in_mean": meta["cells"][c]["faces_in_group"], "merged": bool(meta["cells"][c]["merged_with"]),
            "read_p_male": round(read.p_male, 4), "read_age": read.age_bin, "read_race": read.race,
            "gender_ok": read.gender == lat.GENDERS[g],
            "age_within_1": abs(lat.AGE_BINS.index(read.age_bin) - a) <= 1,
            "race_ok": read.race == lat.RACES[r],
        })

    # contact sheet: rows = age bins, columns = races (male block | female block)
    t = args.thumb
    tiles = []
    for a in range(9):
        row = []
        for g in range(2):
            for r in range(7):
                c = g * 63 + a * 7 + r
                info = cells[c]
                ok, bad = (120, 230, 120), (255, 110, 100)
                lines = [
                    (f"{lat.GENDERS[g][0].upper()} {lat.AGE_BINS[a]} {lat.RACES[r][:8]}", (255, 255, 255)),
                    (f"read {info['read_age']} p(m)={info['read_p_male']:.2f}",
                     ok if info["gender_ok"] and info["age_within_1"] else bad),
                    (f"race {info['read_race'][:10]} n={info['faces_in_mean']}", ok if info["race_ok"] else bad),
                ]
                row.append(_label(_thumb(images[c], t), lines))
            if g == 0:
                row.append(np.full((row[0].shape[0], 6, 3), 255, np.uint8))
        tiles.append(np.concatenate(row, axis=1))
    sheet = np.concatenate(tiles, axis=0)
    title = "s2f face decoder - every cell (labels: cell | classifier read; green agrees) - male left, female right"
    _save(args.out / "contact_sheet.png", np.concatenate([_header(sheet.shape[1], title), sheet]))

    # what the app mostly shows: gender x age with the balanced population prior
    balanced = np.stack([lat.latent_from_joint(lat.attributes_to_joint(g, a)) for g in lat.GENDERS for a in lat.AGE_BINS])
    bal_images = decoder.render_batch(balanced, args.size)
    bal_reads = classifier.classify_batch(list(bal_images))
    bal_rows = []
    for k, read in enumerate(bal_reads):
        g, a = divmod(k, 9)
        bal_rows.append({"gender": lat.GENDERS[g], "age": lat.AGE_BINS[a], "read_p_male": round(read.p_male, 4),
                         "read_age": read.age_bin, "gender_ok": read.gender == lat.GENDERS[g],
                         "age_within_1": abs(lat.AGE_BINS.index(read.age_bin) - a) <= 1, "race_ok": True})
    grid = np.concatenate([np.concatenate(list(bal_images[g * 9 : (g + 1) * 9]), axis=1) for g in range(2)])
    _save(args.out / "gender_age.png", np.concatenate([_header(grid.shape[1], "balanced prior: male (top) / female, ages 0-2 ... 70+"), grid]))

    # morphs
    def strip(a_lat, b_lat, name, title):
        frames = decoder.render_batch(lat.sweep(a_lat, b_lat, MORPH_STEPS), args.size)
        diffs = [float(np.abs(frames[i + 1].astype(float) - frames[i]).mean()) for i in range(len(frames) - 1)]
        image = np.concatenate(list(frames), axis=1)
        _save(args.out / f"{name}.png", np.concatenate([_header(image.shape[1], title), image]))
        return {"frame_mean_abs_diff": [round(d, 3) for d in diffs], "max_over_mean": round(max(diffs) / np.mean(diffs), 3)}

    def joint_latent(g, a):
        return lat.latent_from_joint(lat.attributes_to_joint(g, a))

    morphs = {
        "gender_30_39": strip(joint_latent("male", "30-39"), joint_latent("female", "30-39"), "morph_gender",
                              "male -> female, 30-39, balanced prior"),
        "age_male": strip(joint_latent("male", "3-9"), joint_latent("male", "70+"), "morph_age",
                          "male 3-9 -> 70+, balanced prior"),
        "age_female": strip(joint_latent("female", "3-9"), joint_latent("female", "70+"), "morph_age_female",
                            "female 3-9 -> 70+, balanced prior"),
    }

    def summary(rows, by):
        out = {}
        for value in sorted({r[by] for r in rows}, key=str):
            sel = [r for r in rows if r[by] == value]
            out[value] = {k: round(float(np.mean([r[k] for r in sel])), 3) for k in ("gender_ok", "age_within_1", "race_ok")}
        return out

    results = {
        "decoder": str(decoder.loaded.path.name), "provider": decoder.provider, "size": args.size,
        "cells_overall": {k: round(float(np.mean([c[k] for c in cells])), 3) for k in ("gender_ok", "age_within_1", "race_ok")},
        "cells_by_gender": summary(cells, "gender"),
        "cells_by_age": summary(cells, "age"),
        "cells_by_race": summary(cells, "race"),
        "balanced_prior": {k: round(float(np.mean([r[k] for r in bal_rows])), 3) for k in ("gender_ok", "age_within_1")},
        "balanced_prior_rows": bal_rows,
        "morphs": morphs,
        "cells": cells,
    }
    (args.out / "eval_faces.json").write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps({k: results[k] for k in ("cells_overall", "balanced_prior", "cells_by_gender")}, indent=1))
    print(json.dumps({k: {m: v["max_over_mean"] for m, v in results["morphs"].items()} for k in ["morph max/mean"]}))
    return 0
