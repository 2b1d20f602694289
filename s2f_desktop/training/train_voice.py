"""`s2f train voice --manifest CSV [--manifest CSV ...]`: train models/voice_to_face.onnx.

Any manifest with the columns path, speaker_id, gender, age_low, age_high, language works (paths relative to the
manifest's folder; the folder name is the corpus name used for balancing). Steps:
 1. speech cache: decode, silero VAD (the app's), concatenate each speaker's speech     (artifacts/voice/)
 2. embedding cache: 4 channel variants per speaker, every 1.6 s window embedded once   (artifacts/voice/)
 3. temperature: train on 85% of the speakers (stratified), fit the temperature on the other 15%
 4. final model: train on all speakers with the same settings, keep that temperature, export ONNX (opset 17,
    softmax and aggregation inside) and verify ONNX against torch; write voice_to_face.json beside it.
Deterministic for given data and seed (one CPU thread).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from s2f_desktop.paths import model_path
from s2f_desktop.training.eval_voice import DEFAULT_MANIFESTS, calibration_split
from s2f_desktop.training.voice_data import log


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--manifest", action="append", type=Path, help="manifest CSV (repeat); default: both corpora")
    parser.add_argument("--out", type=Path, default=model_path("voice_to_face.onnx"))
    parser.add_argument("--variants", type=int, default=4, help="channel variants per speaker (1 = no augmentation)")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)


def run(args: argparse.Namespace) -> int:
    import torch

    from s2f_desktop.training.voice_data import load_all
    from s2f_desktop.training.voice_model import TrainConfig, export_onnx, fit_temperature, train_model

    torch.set_num_threads(1)
    manifests = [Path(m) for m in (args.manifest or DEFAULT_MANIFESTS)]
    speakers, cache = load_all(manifests, args.variants)
    config = TrainConfig(seed=args.seed) if args.epochs is None else TrainConfig(epochs=args.epochs, seed=args.seed)
    fit, calibrate = calibration_split(speakers)
    probe = train_model([speakers[i] for i in fit], cache, config, tag="calibration run")
    temperature = fit_temperature(probe, [speakers[i] for i in calibrate], cache)
    log(f"temperature {temperature:.3f} (fitted on {len(calibrate)} held-out speakers)")
    model = train_model(speakers, cache, config, tag="final")
    model.temperature.fill_(temperature)
    export_onnx(model, args.out)
    metadata = {
        "model": args.out.name,
        "inputs": {"embedding": "(B, 256) normalised-mean GE2E embedding", "speech_seconds": "(B, 1) seconds of speech"},
        "outputs": ["joint_fine (B,2,19)", "joint (B,2,9)", "p_male (B,)", "age_years (B,)"],
        "temperature": temperature,
        "config": vars(config),
        "variants": args.variants,
        "manifests": [str(m) for m in manifests],
        "speakers": len(speakers),
        "speakers_by_corpus_gender": {f"{k[0]}/{k[1]}": v for k, v in sorted(Counter((s.corpus, s.gender) for s in speakers).items())},
    }
    args.out.with_suffix(".json").write_text(json.dumps(metadata, indent=1) + "\n")
    print(f"wrote {args.out} and {args.out.with_suffix('.json').name}: {len(speakers)} speakers, temperature {temperature:.3f}")
    return 0
