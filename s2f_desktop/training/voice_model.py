"""The voice-to-attribute model: a small MLP over the 38 joint cells (gender x fine age bin), trained with the
interval likelihood, balanced sample weights, temperature-scaled on held-out speakers, exported to ONNX.

Defaults were chosen on two cross-validation folds (see models/voice_models.md): with ~1,100 training speakers a
plain MLP memorises speakers, so the embedding gets Gaussian noise and heavy dropout while training.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from s2f_desktop.inference.voice_attributes import MAX_SECONDS_FEATURE, age_median_edges, fine_to_coarse
from s2f_desktop.training.voice_crops import N_CELLS, N_FINE, balance_weights, label_target, sample_crops
from s2f_desktop.training.voice_data import Speaker, SpeakerEmbeddings, log

OPSET = 17


@dataclass
class TrainConfig:
    hidden: int = 128
    dropout: float = 0.5
    epochs: int = 20
    crops_per_speaker: int = 24
    lr: float = 2e-3
    weight_decay: float = 1e-3
    batch: int = 256
    seed: int = 0
    input_noise: float = 0.5  # std of Gaussian noise on the standardised embedding (against memorising speakers)


class VoiceToFace(nn.Module):
    def __init__(self, hidden: int, dropout: float, mean: np.ndarray, std: np.ndarray) -> None:
        super().__init__()
        if hidden:
            self.net = nn.Sequential(
                nn.Dropout(dropout / 2), nn.Linear(257, hidden), nn.ReLU(), nn.Dropout(dropout),
                nn.Linear(hidden, N_CELLS),
            )
        else:  # multinomial logistic regression over the 38 cells
            self.net = nn.Sequential(nn.Dropout(dropout), nn.Linear(257, N_CELLS))
        self.input_noise = 0.0
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32))
        self.register_buffer("temperature", torch.ones(()))
        self.register_buffer("to_coarse", torch.tensor(fine_to_coarse()))
        edges = age_median_edges()
        self.register_buffer("age_low_edge", torch.tensor(float(edges[0])))
        self.register_buffer("age_widths", torch.tensor(np.diff(edges), dtype=torch.float32))

    def logits(self, embedding: torch.Tensor, speech_seconds: torch.Tensor) -> torch.Tensor:
        seconds = torch.clamp(speech_seconds, 0.5, MAX_SECONDS_FEATURE)
        standard = (embedding - self.mean) / self.std
        if self.training and self.input_noise > 0:
            standard = standard + self.input_noise * torch.randn_like(standard)
        x = torch.cat([standard, (torch.log(seconds) - 1.4) / 1.0], dim=1)
        return self.net(x)

    def forward(self, embedding: torch.Tensor, speech_seconds: torch.Tensor):
        probs = torch.softmax(self.logits(embedding, speech_seconds) / self.temperature, dim=1)
        joint_fine = probs.reshape(-1, 2, N_FINE)
        joint = torch.matmul(joint_fine, self.to_coarse)
        p_male = joint_fine[:, 0, :].sum(dim=1)
        # age point estimate: the posterior median (voice_attributes.posterior_median), linear within fine bins
        age = joint_fine.sum(dim=1)
        before = torch.cumsum(age, dim=1) - age
        share = torch.clamp((0.5 - before) / torch.clamp(age, min=1e-12), 0.0, 1.0)
        age_years = self.age_low_edge + (self.age_widths * share).sum(dim=1)
        return joint_fine, joint, p_male, age_years


def interval_nll(logits: torch.Tensor, targets: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """-log sum_c target_c p_c (the label interval's likelihood), weighted mean over samples."""
    log_p = torch.log_softmax(logits, dim=1)
    likelihood = torch.logsumexp(log_p + torch.log(targets.clamp_min(1e-12)), dim=1)
    return -(likelihood * weights).sum() / weights.sum()


def _seed_from(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")


def train_model(
    speakers: list[Speaker], cache: dict[str, SpeakerEmbeddings], config: TrainConfig, tag: str = ""
) -> VoiceToFace:
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    targets_all = torch.tensor(np.stack([label_target(s) for s in speakers]))
    weights_all = torch.tensor(balance_weights(speakers), dtype=torch.float32)
    probe_x, _, _ = sample_crops(speakers, cache, 4, np.random.default_rng(1))
    mean, std = probe_x.mean(axis=0), probe_x.std(axis=0) + 1e-4
    model = VoiceToFace(config.hidden, config.dropout, mean, std)
    model.input_noise = config.input_noise
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=config.epochs)
    for epoch in range(config.epochs):
        x, seconds, owner = sample_crops(speakers, cache, config.crops_per_speaker, rng)
        order = rng.permutation(len(x))
        model.train()
        total = 0.0
        for first in range(0, len(order), config.batch):
            batch = order[first : first + config.batch]
            logits = model.logits(torch.from_numpy(x[batch]), torch.from_numpy(seconds[batch, None]))
            loss = interval_nll(logits, targets_all[owner[batch]], weights_all[owner[batch]])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
        scheduler.step()
        if epoch % 10 == 9 or epoch == config.epochs - 1:
            log(f"{tag} epoch {epoch + 1}/{config.epochs}: loss {total / len(order):.3f}")
    model.eval()
    return model


def fit_temperature(
    model: VoiceToFace, speakers: list[Speaker], cache: dict[str, SpeakerEmbeddings], seed: int = 0
) -> float:
    """Temperature minimising the (balanced) interval NLL on held-out speakers' crops of 1-16 s."""
    rng = np.random.default_rng(seed)
    x, seconds, owner = sample_crops(speakers, cache, 16, rng, variants=None)
    targets = torch.tensor(np.stack([label_target(s) for s in speakers]))[owner]
    weights = torch.tensor(balance_weights(speakers), dtype=torch.float32)[owner]
    with torch.no_grad():
        logits = model.logits(torch.from_numpy(x), torch.from_numpy(seconds[:, None]))
        grid = np.exp(np.linspace(np.log(0.3), np.log(8.0), 81))
        losses = [float(interval_nll(logits / t, targets, weights)) for t in grid]
    best = float(grid[int(np.argmin(losses))])
    model.temperature.fill_(best)
    return best


def predict(model: VoiceToFace, embeddings: np.ndarray, seconds: np.ndarray) -> dict[str, np.ndarray]:
    with torch.no_grad():
        joint_fine, joint, p_male, age = model(torch.from_numpy(embeddings), torch.from_numpy(seconds[:, None]))
    return {"joint_fine": joint_fine.numpy(), "joint": joint.numpy(), "p_male": p_male.numpy(), "age_years": age.numpy()}


def export_onnx(model: VoiceToFace, out: Path) -> None:
    import onnxruntime as ort

    model.eval()
    out.parent.mkdir(parents=True, exist_ok=True)
    example = (torch.randn(3, 256).abs() / 16.0, torch.full((3, 1), 4.0))
    torch.onnx.export(
        model, example, str(out), input_names=["embedding", "speech_seconds"],
        output_names=["joint_fine", "joint", "p_male", "age_years"],
        dynamic_axes={n: {0: "batch"} for n in ("embedding", "speech_seconds", "joint_fine", "joint", "p_male", "age_years")},
        opset_version=OPSET, dynamo=False,
    )
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    emb = np.abs(rng.standard_normal((5, 256))).astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    sec = np.array([[1.0], [2.0], [8.0], [16.0], [100.0]], dtype=np.float32)
    got = session.run(None, {"embedding": emb, "speech_seconds": sec})
    expected = predict(model, emb, sec[:, 0])
    for name, value in zip(("joint_fine", "joint", "p_male", "age_years"), got, strict=True):
        if not np.allclose(value, expected[name], atol=1e-4):
            raise RuntimeError(f"ONNX export of voice_to_face disagrees with torch on {name}")
