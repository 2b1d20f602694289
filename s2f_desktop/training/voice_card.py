"""Print the measured-figures section of models/voice_models.md from `s2f eval voice`'s JSON and the model files.

    .venv-train/bin/python -m s2f_desktop.training.voice_card [artifacts/voice/eval/eval_voice.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from s2f_desktop.inference.session import file_sha256
from s2f_desktop.paths import model_path

ROWS = (
    ("gender_acc[adults]", "gender, adults (20+), both corpora", "≥ 0.97"),
    ("gender_acc[adults:commonvoice]", "gender, adults, commonvoice", "≥ 0.97"),
    ("gender_acc[adults:speechocean762]", "gender, adults, speechocean762", "≥ 0.97"),
    ("gender_acc[women]", "gender, women (20+)", "≥ 0.95"),
    ("gender_acc[men]", "gender, men (20+)", ""),
    ("gender_acc[teens]", "gender, teens (13-19)", ""),
    ("gender_acc[girls]", "gender, girls (< 13)", ""),
    ("gender_acc[boys]", "gender, boys (< 13)", ""),
    ("gender_acc[children]", "gender, children (< 13)", "≥ 0.85"),
    ("gender_acc[50+]", "gender, speakers 50+", ""),
    ("gender_acc[corpus:commonvoice]", "gender, all commonvoice", ""),
    ("gender_acc[corpus:speechocean762]", "gender, all speechocean762", ""),
    ("child_adult_acc", "child (< 13) vs not", "≥ 0.95"),
    ("child_recall", "children recognised as children", ""),
    ("adult_as_adult", "13+ recognised as 13+", ""),
    ("boys_not_women", "boys with P(female, 20+) < 0.5", "≥ 0.95"),
    ("age_mae_exact", "age MAE, years (exact ages, speechocean762)", "≤ 5"),
    ("decade_pm10", "predicted age within labelled decade ± 10 y (commonvoice)", "≥ 0.90"),
    ("in_decade", "predicted age inside the labelled decade", ""),
    ("50+_at_40+", "speakers 50+ predicted at 40 or older", "≥ 0.80"),
    ("gender_ece", "gender calibration error (ECE, per fold)", ""),
    ("mean_seconds_used", "mean seconds of speech actually used", ""),
)


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("artifacts/voice/eval/eval_voice.json")
    report = json.loads(path.read_text())
    summary = report["summary"]
    lengths = list(summary)
    print(f"5-fold cross-validation by speaker, {report['speakers']} speakers; mean ± standard deviation over folds.\n")
    print("| figure | target (8 s) | " + " | ".join(lengths) + " |")
    print("|---|---|" + "---|" * len(lengths))
    for key, label, target in ROWS:
        cells = []
        for length in lengths:
            value = summary[length].get(key)
            if value is None or value[2] == 0:
                cells.append("–")
            elif key == "mean_seconds_used":
                cells.append(f"{value[0]:.1f}")
            elif key == "age_mae_exact":
                cells.append(f"{value[0]:.2f} ± {value[1]:.2f}")
            else:
                cells.append(f"{value[0]:.3f} ± {value[1]:.3f}")
        print(f"| {label} | {target} | " + " | ".join(cells) + " |")
    print(f"\nGender ECE at 8 s, folds pooled: {report['gender_ece_pooled_8s']:.3f}. "
          f"Temperatures per fold: {', '.join(f'{t:.2f}' for t in report['temperatures'])}.\n")
    print("Gender accuracy by language at 8 s (top 10 languages by speakers, folds pooled):\n")
    print("| language | accuracy |\n|---|---|")
    for lang, acc in report["language_gender_acc_8s"].items():
        print(f"| {lang} | {acc:.3f} |")
    print("\n| file | sha256 |\n|---|---|")
    for name in ("voice_encoder.onnx", "voice_to_face.onnx", "voice_to_face.json"):
        file = model_path(name)
        if file.exists():
            print(f"| {name} | `{file_sha256(file)}` |")


if __name__ == "__main__":
    main()
