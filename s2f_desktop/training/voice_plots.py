"""Plots of the voice evaluation: figures vs seconds of speech, and a reliability diagram (matplotlib, training only)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from s2f_desktop.training.voice_data import Speaker
from s2f_desktop.training.voice_metrics import expected_calibration_error, language_accuracy

CURVES = (
    "gender_acc[adults]", "gender_acc[women]", "gender_acc[men]", "gender_acc[children]", "gender_acc[teens]",
    "gender_acc[50+]", "child_adult_acc", "boys_not_women", "decade_pm10", "50+_at_40+",
)


def write_plots(speakers: list[Speaker], results: list[dict], summary: dict, out: Path) -> dict:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lengths = list(summary)
    x = np.arange(len(lengths))
    fig, axes = plt.subplots(1, 2, figsize=(13, 5))
    for name in CURVES:
        means = [summary[length].get(name, [np.nan])[0] for length in lengths]
        stds = [summary[length].get(name, [0, 0])[1] for length in lengths]
        axes[0].errorbar(x, means, yerr=stds, marker="o", capsize=3, label=name)
    axes[0].set_xticks(x, lengths)
    axes[0].set_xlabel("speech used")
    axes[0].set_ylabel("share (5-fold mean ± std)")
    axes[0].set_ylim(0.4, 1.01)
    axes[0].legend(fontsize=7)
    axes[0].set_title("held-out speakers vs seconds of speech")
    mae = [summary[length].get("age_mae_exact", [np.nan])[0] for length in lengths]
    mae_std = [summary[length].get("age_mae_exact", [0, 0])[1] for length in lengths]
    axes[1].errorbar(x, mae, yerr=mae_std, marker="o", capsize=3)
    axes[1].set_xticks(x, lengths)
    axes[1].set_ylabel("age MAE, years (exact ages, speechocean762)")
    axes[1].set_title("age error vs seconds of speech")
    fig.tight_layout()
    fig.savefig(out / "voice_accuracy_vs_seconds.png", dpi=110)
    plt.close(fig)

    by_key = {s.key: s for s in speakers}
    pooled_p, pooled_male, pooled_owner = [], [], []
    for result in results:
        block = result["pooled"]["8s"]
        pooled_p.extend(block["p_male"])
        pooled_male.extend(by_key[k].gender == "male" for k in block["owner_keys"])
        pooled_owner.extend(block["owner_keys"])
    p = np.array(pooled_p)
    male = np.array(pooled_male)
    ok = (p >= 0.5) == male
    ece, table = expected_calibration_error(np.maximum(p, 1 - p), ok)
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0.5, 1], [0.5, 1], "k--", lw=1)
    ax.plot([t[1] for t in table], [t[2] for t in table], "o-")
    for row in table:
        ax.annotate(str(row[3]), (row[1], row[2]), fontsize=7)
    ax.set_xlabel("confidence of the gender decision")
    ax.set_ylabel("accuracy")
    ax.set_title(f"reliability, 8 s, pooled folds (ECE {ece:.3f})")
    fig.tight_layout()
    fig.savefig(out / "voice_reliability_8s.png", dpi=110)
    plt.close(fig)

    index = {s.key: i for i, s in enumerate(speakers)}
    owner = np.array([index[k] for k in pooled_owner])
    languages = language_accuracy(speakers, owner, p)
    return {"gender_ece_pooled_8s": ece, "reliability_8s": table, "language_gender_acc_8s": languages}
