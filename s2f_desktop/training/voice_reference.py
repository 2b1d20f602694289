"""Store resemblyzer's own embeddings of the test recording, so the app's numpy + ONNX encoder is checked against
the reference implementation even where torch/resemblyzer are not installed.

    .venv-train/bin/python -m s2f_desktop.training.voice_reference

The recording is tests/data/espeak_en_16k.wav (espeak-ng, synthetic, 16 kHz). Two levels are stored: as is
(about -21 dBFS, no gain applied) and at 1/20 amplitude (about -47 dBFS, so resemblyzer's increase-only
normalisation to -30 dBFS is exercised). Reference = resemblyzer's `normalize_volume(wav, -30, increase_only=True)`
then `VoiceEncoder.embed_utterance(..., return_partials=True)` (its silence trimming is webrtcvad's business and is
left out: the app uses silero VAD instead).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
RECORDING = ROOT / "tests" / "data" / "espeak_en_16k.wav"
REFERENCE = ROOT / "tests" / "reference" / "resemblyzer_espeak_en.npz"
LEVELS = (1.0, 0.05)


def reference_embeddings(wav: np.ndarray) -> dict[str, np.ndarray]:
    """resemblyzer's utterance embedding and partial (window) embeddings for each level."""
    import torch
    from resemblyzer import VoiceEncoder
    from resemblyzer.audio import normalize_volume

    torch.set_num_threads(1)
    encoder = VoiceEncoder(device="cpu", verbose=False)
    out: dict[str, np.ndarray] = {}
    for level in LEVELS:
        scaled = normalize_volume(wav * level, -30, increase_only=True).astype(np.float32)
        utterance, partials, slices = encoder.embed_utterance(scaled, return_partials=True)
        key = f"{level:g}"
        out[f"utterance_{key}"] = utterance.astype(np.float32)
        out[f"partials_{key}"] = partials.astype(np.float32)
        out[f"starts_{key}"] = np.array([s.start for s in slices], dtype=np.int64)
    return out


def main() -> None:
    import soundfile as sf

    wav, rate = sf.read(str(RECORDING), dtype="float32")
    assert rate == 16000, rate
    data = reference_embeddings(wav)
    REFERENCE.parent.mkdir(parents=True, exist_ok=True)
    np.savez(REFERENCE, levels=np.array(LEVELS), **data)
    print(f"wrote {REFERENCE}: " + ", ".join(f"{k} {v.shape}" for k, v in data.items()))


if __name__ == "__main__":
    main()
