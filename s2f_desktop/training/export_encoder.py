"""`s2f models export-encoder`: resemblyzer's GE2E speaker encoder (Apache-2.0) -> models/voice_encoder.onnx.

The network is a 3-layer LSTM (40 -> 256) + linear + ReLU + L2 normalisation over the last hidden state. The
ONNX graph takes mel windows `(batch, frames, 40)` (power mel, not log, see s2f_desktop/dsp/mel.py) and returns
L2-normalised 256-d embeddings `(batch, 256)`; batch and frame axes are dynamic. After export the ONNX output is
compared with torch on random and real-looking input; the command fails if they disagree.

Needs the training extra (torch, resemblyzer installed with --no-deps, webrtcvad-wheels).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from s2f_desktop.paths import model_path

OPSET = 17


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=model_path("voice_encoder.onnx"), help="output ONNX file")



def build_torch_encoder():
    """resemblyzer's VoiceEncoder on CPU, eval mode, with the weights shipped in its wheel."""
    import torch
    from resemblyzer import VoiceEncoder

    torch.manual_seed(0)
    encoder = VoiceEncoder(device="cpu", verbose=False)
    encoder.eval()
    return encoder


def export(out: Path) -> dict[str, float]:
    import onnxruntime as ort
    import torch

    encoder = build_torch_encoder()
    out.parent.mkdir(parents=True, exist_ok=True)
    example = torch.rand(2, 160, 40) * 0.1
    with torch.no_grad():
        torch.onnx.export(
            encoder,
            (example,),
            str(out),
            input_names=["mels"],
            output_names=["embeddings"],
            dynamic_axes={"mels": {0: "batch", 1: "frames"}, "embeddings": {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,
            do_constant_folding=True,
        )
    # Verify: several batch sizes and frame counts, input scales like real power mels (mostly tiny, some large).
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(out), sess_options=options, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    worst = 0.0
    for batch, frames in ((1, 160), (5, 160), (3, 97), (2, 200)):
        mels = (rng.gamma(0.3, 1.0, size=(batch, frames, 40)) * 0.05).astype(np.float32)
        with torch.no_grad():
            expected = encoder(torch.from_numpy(mels)).numpy()
        got = session.run(None, {"mels": mels})[0]
        worst = max(worst, float(np.abs(expected - got).max()))
    if worst > 1e-4:
        raise RuntimeError(f"ONNX export disagrees with torch (max abs difference {worst:.2e})")
    return {"max_abs_difference": worst}


def run(args: argparse.Namespace) -> int:
    report = export(Path(args.out))
    print(f"wrote {args.out} (ONNX opset {OPSET}); max |onnx - torch| = {report['max_abs_difference']:.2e}")
    return 0
