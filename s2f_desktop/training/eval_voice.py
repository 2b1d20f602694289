"""`s2f eval voice --manifest CSV [--manifest CSV ...]`: 5-fold cross-validation by speaker.

Each fold trains exactly as `s2f train voice` does (model on 85% of the training speakers, temperature on the other
15%), then predicts held-out speakers from the ORIGINAL recordings (no augmentation) at 1, 2, 4, 8, 16 s of speech
and all available speech (3 crops per speaker and length; speakers with less speech give all they have). Folds
are stratified by corpus x gender x age bin. Prints mean ± spread (standard deviation over folds), writes
JSON + PNG plots to --out (default artifacts/voice/eval).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

import numpy as np

from s2f_desktop.training.voice_data import CACHE_DIR, ROOT, Speaker, SpeakerEmbeddings, log

LENGTHS: tuple[float | None, ...] = (1.0, 2.0, 4.0, 8.0, 16.0, None)
CROPS_PER_LENGTH = 3
FOLDS = 5
DEFAULT_MANIFESTS = (
    ROOT.parent / "shared" / "data" / "voices" / "speechocean762" / "manifest.csv",
    ROOT.parent / "shared" / "data" / "voices" / "commonvoice" / "manifest.csv",
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--manifest", action="append", type=Path, help="manifest CSV (repeat); default: both corpora")
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "voice" / "eval")
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--variants", type=int, default=4, help="channel variants per speaker (1 = no augmentation)")
    parser.add_argument("--epochs", type=int, default=None)


def length_label(seconds: float | None) -> str:
    return "all" if seconds is None else f"{seconds:g}s"


def stratified_folds(speakers: list[Speaker], folds: int) -> np.ndarray:
    from s2f_desktop.training.voice_crops import balance_cell

    fold = np.zeros(len(speakers), dtype=int)
    cells: dict[tuple, list[int]] = {}
    for i, s in enumerate(speakers):
        cells.setdefault(balance_cell(s), []).append(i)
    position = 0
    for members in cells.values():
        members.sort(key=lambda i: hashlib.sha256(speakers[i].key.encode()).hexdigest())
        for j, i in enumerate(members):
            fold[i] = (position + j) % folds
        position += len(members)
    return fold


def calibration_split(speakers: list[Speaker], share: float = 0.15) -> tuple[list[int], list[int]]:
    """Indices (fit, calibrate): a speaker-disjoint, stratified split of the training speakers."""
    fold = stratified_folds(speakers, round(1 / share))
    return [i for i in range(len(speakers)) if fold[i] != 0], [i for i in range(len(speakers)) if fold[i] == 0]


def exact_short_crops(
    speakers: list[Speaker], manifests: list[Path], seconds: float = 1.0, count: int = CROPS_PER_LENGTH
) -> dict[str, np.ndarray]:
    """Embeddings of `count` evenly spaced crops of exactly `seconds` of original speech per speaker (cached)."""
    from s2f_desktop.training.voice_data import read_manifest, speech_streams

    tag = hashlib.sha256("".join(sorted(s.key for s in speakers)).encode()).hexdigest()[:12]
    path = CACHE_DIR / f"eval_short_{seconds:g}s_{tag}.npz"
    if path.exists():
        with np.load(path) as data:
            return {k.replace("__", "/"): data[k] for k in data.files}
    from s2f_desktop.inference.voice_encoder import VoiceEncoder

    encoder = VoiceEncoder(threads=1)
    wanted = {s.key for s in speakers}
    out: dict[str, np.ndarray] = {}
    for manifest in manifests:
        streams = speech_streams(manifest, read_manifest(manifest))
        for key, speech in streams.items():
            if key not in wanted:
                continue
            n = min(len(speech), int(seconds * 16000))
            starts = np.linspace(0, len(speech) - n, num=count).round().astype(int)
            out[key] = np.stack([encoder.embed_utterance(speech[s : s + n]) for s in starts])
    np.savez(path, **{k.replace("/", "__"): v for k, v in out.items()})
    return out


def evaluate_fold(train: list[Speaker], test: list[Speaker], cache: dict[str, SpeakerEmbeddings],
                  short: dict[str, np.ndarray], config, tag: str) -> dict:
    from s2f_desktop.training.voice_crops import fixed_length_crops
    from s2f_desktop.training.voice_metrics import compute
    from s2f_desktop.training.voice_model import fit_temperature, predict, train_model

    fit, calibrate = calibration_split(train)
    model = train_model([train[i] for i in fit], cache, config, tag=tag)
    temperature = fit_temperature(model, [train[i] for i in calibrate], cache)
    result: dict = {"temperature": temperature, "by_length": {}, "pooled": {}}
    for seconds in LENGTHS:
        embeddings, used, owners = [], [], []
        for index, speaker in enumerate(test):
            x, s = fixed_length_crops(cache[speaker.key], seconds, CROPS_PER_LENGTH, speaker.key, short.get(speaker.key))
            embeddings.append(x)
            used.append(s)
            owners.append(np.full(len(x), index))
        x_all, s_all, owner = np.concatenate(embeddings), np.concatenate(used), np.concatenate(owners)
        out = predict(model, x_all, s_all)
        figures = compute(test, owner, out)
        figures["mean_seconds_used"] = float(s_all.mean())
        if seconds == PORTRAIT_CHECK_SECONDS:
            figures.update(portrait_agreement(test, owner, out["joint"]))
        result["by_length"][length_label(seconds)] = figures
        result["pooled"][length_label(seconds)] = {
            "owner_keys": [test[i].key for i in owner],
            "p_male": out["p_male"].tolist(),
            "age_years": out["age_years"].tolist(),
        }
    return result


PORTRAIT_CHECK_SECONDS = 8


def portrait_agreement(test: list[Speaker], owner: np.ndarray, joint: np.ndarray) -> dict[str, float]:
    """Speech2Face's protocol on held-out speakers: render each speaker's portrait (first 8 s crop, balanced
    population prior) and ask the face classifier (face_attributes.onnx) whether it shows a man or a woman."""
    from s2f_desktop.portrait.face_classifier import load_face_classifier
    from s2f_desktop.portrait.face_model import load_face_model
    from s2f_desktop.portrait.latent import latent_from_joint
    from s2f_desktop.training.voice_metrics import groups

    first: dict[int, int] = {}
    for row, index in enumerate(owner):
        first.setdefault(int(index), row)
    face, classifier = load_face_model(threads=1), load_face_classifier(threads=1)
    agree: dict[str, list[bool]] = {}
    indices = list(first)
    for start in range(0, len(indices), 32):
        batch = indices[start : start + 32]
        images = face.render_batch(np.stack([latent_from_joint(joint[first[i]]) for i in batch]), 256)
        for index, read in zip(batch, classifier.classify_batch(images), strict=True):
            speaker = test[index]
            ok = (read.p_male >= 0.5) == (speaker.gender == "male")
            for group in ["all", *groups(speaker)]:
                agree.setdefault(group, []).append(ok)
    return {f"portrait_gender_agreement[{group}]": float(np.mean(v)) for group, v in agree.items()}


def summarise(folds: list[dict]) -> dict[str, dict[str, list[float]]]:
    """length -> metric -> [mean, std over folds, n folds with a value]."""
    summary: dict[str, dict[str, list[float]]] = {}
    for length in folds[0]["by_length"]:
        names = sorted({n for f in folds for n in f["by_length"][length]})
        summary[length] = {}
        for name in names:
            values = np.array([f["by_length"][length].get(name, np.nan) for f in folds], dtype=float)
            values = values[~np.isnan(values)]
            summary[length][name] = [float(values.mean()), float(values.std()), int(len(values))] if len(values) else [float("nan"), 0.0, 0]
    return summary


def print_table(summary: dict[str, dict[str, list[float]]]) -> None:
    lengths = list(summary)
    names = sorted({n for length in lengths for n in summary[length]})
    print(f"{'metric':<34}" + "".join(f"{length:>16}" for length in lengths))
    for name in names:
        cells = []
        for length in lengths:
            mean, std, _n = summary[length].get(name, [float("nan"), 0.0, 0])
            cells.append(f"{mean:>9.3f} ±{std:.3f}" if name != "mean_seconds_used" else f"{mean:>16.1f}")
        print(f"{name:<34}" + "".join(f"{c:>16}" for c in cells))


def run(args: argparse.Namespace) -> int:
    import torch

    from s2f_desktop.training.voice_data import load_all
    from s2f_desktop.training.voice_model import TrainConfig
    from s2f_desktop.training.voice_plots import write_plots

    torch.set_num_threads(1)
    manifests = [Path(m) for m in (args.manifest or DEFAULT_MANIFESTS)]
    speakers, cache = load_all(manifests, args.variants)
    short = exact_short_crops(speakers, manifests)
    config = TrainConfig() if args.epochs is None else TrainConfig(epochs=args.epochs)
    fold_of = stratified_folds(speakers, args.folds)
    started = time.time()
    results = []
    for fold in range(args.folds):
        train = [s for s, f in zip(speakers, fold_of, strict=True) if f != fold]
        test = [s for s, f in zip(speakers, fold_of, strict=True) if f == fold]
        results.append(evaluate_fold(train, test, cache, short, config, tag=f"fold {fold + 1}/{args.folds}"))
        log(f"fold {fold + 1} done ({time.time() - started:.0f} s)")
    summary = summarise(results)
    print_table(summary)
    args.out.mkdir(parents=True, exist_ok=True)
    report = {
        "manifests": [str(m) for m in manifests],
        "speakers": len(speakers),
        "folds": args.folds,
        "variants": args.variants,
        "config": vars(config),
        "temperatures": [r["temperature"] for r in results],
        "summary": summary,
        "per_fold": [r["by_length"] for r in results],
    }
    extra = write_plots(speakers, results, summary, args.out)
    report.update(extra)
    (args.out / "eval_voice.json").write_text(json.dumps(report, indent=1))
    print(f"language gender accuracy at 8 s (pooled): {json.dumps(extra['language_gender_acc_8s'])}")
    print(f"gender ECE pooled at 8 s: {extra['gender_ece_pooled_8s']:.3f}; wrote {args.out}")
    return 0
