"""The evaluation classifier (models/face_attributes.onnx): gender, age bin and race from a face in the
portrait framing, trained on FairFace train/ and measured on the held-out val/ photos.

It exists to measure the portraits the way Speech2Face did; the app never shows its output as a claim about a
speaker. Input: (N, 80, 80, 3) uint8 RGB, the CLASSIFIER_BOX of the portrait canvas.
"""

from __future__ import annotations

import json
import time

import numpy as np

INPUT_PX = 80
CLASSIFIER_BOX = (0.16, 0.16, 0.84, 0.84)  # of the unit canvas: the face and a little around it
PAD_PX = 8  # photos are cut a little larger, for random-crop augmentation


def crop_photos(rows, model, images, indices, log):
    """Similarity-align each photo onto the canvas and cut the classifier box (with padding)."""
    import cv2

    size = INPUT_PX + 2 * PAD_PX
    x0, y0, x1, y1 = CLASSIFIER_BOX
    scale = (x1 - x0) / INPUT_PX  # canvas units per pixel
    out = np.zeros((len(indices), size, size, 3), np.uint8)
    for n, i in enumerate(indices):
        bgr = cv2.imread(str(images / rows[i].path))
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        # crop pixel (u, v) centre -> canvas -> photo
        crop_to_canvas = np.array([[scale, 0, x0 - PAD_PX * scale + 0.5 * scale],
                                   [0, scale, y0 - PAD_PX * scale + 0.5 * scale]])
        canvas_to_photo = _invert(model.to_canvas[i])
        m = canvas_to_photo[:, :2] @ crop_to_canvas
        m = np.hstack([m[:, :2], (canvas_to_photo[:, :2] @ crop_to_canvas[:, 2] + canvas_to_photo[:, 2] - 0.5)[:, None]])
        out[n] = cv2.warpAffine(rgb, m, (size, size), flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP,
                                borderMode=cv2.BORDER_REPLICATE)
        if (n + 1) % 4000 == 0:
            log(f"classifier crops {n + 1}/{len(indices)}")
    return out


def _invert(matrix):
    lin = np.linalg.inv(matrix[:, :2])
    return np.hstack([lin, (-lin @ matrix[:, 2])[:, None]])


def _network():
    import torch
    from torch import nn

    def block(cin, cout, stride=1):
        return [nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]

    class AttributeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                *block(3, 32, 2), *block(32, 32), nn.MaxPool2d(2),
                *block(32, 64), *block(64, 64), nn.MaxPool2d(2),
                *block(64, 128), *block(128, 128), nn.MaxPool2d(2),
                *block(128, 256), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.3),
            )
            self.gender = nn.Linear(256, 2)
            self.age = nn.Linear(256, 9)
            self.race = nn.Linear(256, 7)

        def forward(self, x):
            f = self.features(x)
            return self.gender(f), self.age(f), self.race(f)

    class Exported(nn.Module):
        """uint8 NHWC in, probabilities out: p_male (N,), age (N, 9), race (N, 7)."""

        def __init__(self, net):
            super().__init__()
            self.net = net

        def forward(self, image):
            x = image.permute(0, 3, 1, 2).float() / 255.0
            x = (x - 0.5) / 0.25
            g, a, r = self.net(x)
            return torch.softmax(g, 1)[:, 0], torch.softmax(a, 1), torch.softmax(r, 1)

    return AttributeNet, Exported


def _augment(batch, rng, alpha_crop):
    """Random crop, flip, exposure/colour jitter, and (half the time) the portrait's studio backdrop."""
    n = len(batch)
    out = np.empty((n, INPUT_PX, INPUT_PX, 3), np.float32)
    for j in range(n):
        dx, dy = rng.integers(0, 2 * PAD_PX + 1, 2)
        img = batch[j, dy : dy + INPUT_PX, dx : dx + INPUT_PX].astype(np.float32) / 255.0
        if rng.random() < 0.5:
            img = img[:, ::-1]
        img = img * rng.uniform(0.75, 1.25) * rng.uniform(0.92, 1.08, 3) + rng.uniform(-0.06, 0.06)
        if rng.random() < 0.5:
            grey = rng.uniform(0.35, 0.75) * rng.uniform(0.95, 1.05, 3)
            a = alpha_crop[..., None]
            img = img * a + grey * (1 - a)
        out[j] = np.clip(img, 0, 1)
    return out


def _alpha_in_crop(work):
    """The decoder's face mask resampled into the classifier crop (for the backdrop augmentation)."""
    import cv2

    stats = np.load(work / "face_model_stats.npz")
    alpha, box = stats["alpha"], tuple(stats["texture_box"])
    h, w = alpha.shape
    x0, y0, x1, y1 = CLASSIFIER_BOX
    xs = ((x0 + (np.arange(INPUT_PX) + 0.5) / INPUT_PX * (x1 - x0)) - box[0]) / (box[2] - box[0]) * w - 0.5
    ys = ((y0 + (np.arange(INPUT_PX) + 0.5) / INPUT_PX * (y1 - y0)) - box[1]) / (box[3] - box[1]) * h - 0.5
    gx, gy = np.meshgrid(xs.astype(np.float32), ys.astype(np.float32))
    return cv2.remap(alpha.astype(np.float32), gx, gy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)


def train(rows, model, args, log):
    import torch
    from torch import nn

    from s2f_desktop.portrait.latent import AGE_BINS, GENDERS, RACES

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    usable = np.flatnonzero(model.found)
    split = np.array([rows[i].path.split("/")[0] for i in usable])
    train_idx, val_idx = usable[split == "train"], usable[split == "val"]
    log(f"classifier: {len(train_idx)} training photos, {len(val_idx)} held-out (val/) photos")
    x_train = crop_photos(rows, model, args.images, train_idx, log)
    x_val = crop_photos(rows, model, args.images, val_idx, log)[:, PAD_PX:-PAD_PX, PAD_PX:-PAD_PX]

    def labels(idx):
        return (np.array([GENDERS.index(rows[i].gender) for i in idx]),
                np.array([AGE_BINS.index(rows[i].age) for i in idx]),
                np.array([RACES.index(rows[i].race) for i in idx]))

    y_train, y_val = labels(train_idx), labels(val_idx)
    alpha_crop = _alpha_in_crop(args.work)
    AttributeNet, Exported = _network()
    net = AttributeNet()
    epochs, batch = args.classifier_epochs, 64
    steps = epochs * (len(x_train) // batch)
    opt = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps, pct_start=0.2)
    ce = nn.CrossEntropyLoss(label_smoothing=0.05)
    start = time.time()
    for epoch in range(epochs):
        net.train()
        order = rng.permutation(len(x_train))
        total = 0.0
        for s in range(len(x_train) // batch):
            pick = order[s * batch : (s + 1) * batch]
            x = torch.from_numpy(_augment(x_train[pick], rng, alpha_crop)).permute(0, 3, 1, 2)
            x = (x - 0.5) / 0.25
            g, a, r = net(x)
            loss = ce(g, torch.from_numpy(y_train[0][pick])) + ce(a, torch.from_numpy(y_train[1][pick])) + 0.5 * ce(
                r, torch.from_numpy(y_train[2][pick]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        acc = evaluate(net, Exported, x_val, y_val)
        log(f"epoch {epoch + 1}/{epochs} loss {total / (len(x_train) // batch):.3f} held-out {acc['summary']} "
            f"({time.time() - start:.0f} s)")
    net.eval()
    report = evaluate(net, Exported, x_val, y_val)
    export(net, Exported, args.out / "face_attributes.onnx")
    report["train_photos"], report["held_out_photos"] = len(train_idx), len(val_idx)
    report["input"] = {"pixels": INPUT_PX, "canvas_box": CLASSIFIER_BOX}
    (args.work / "classifier_report.json").write_text(json.dumps(report, indent=1) + "\n")
    log(f"classifier held-out: {report['summary']}")


def evaluate(net, Exported, x_val, y_val):
    import torch

    from s2f_desktop.portrait.latent import AGE_BINS, GENDERS, RACES

    net.eval()
    wrapped = Exported(net)
    outs = []
    with torch.no_grad():
        for s in range(0, len(x_val), 256):
            outs.append([t.numpy() for t in wrapped(torch.from_numpy(np.ascontiguousarray(x_val[s : s + 256])))])
    p_male = np.concatenate([o[0] for o in outs])
    age = np.concatenate([o[1] for o in outs]).argmax(1)
    race = np.concatenate([o[2] for o in outs]).argmax(1)
    g_pred = (p_male < 0.5).astype(int)
    yg, ya, yr = y_val
    rep = {
        "gender_accuracy": float((g_pred == yg).mean()),
        "gender_accuracy_by_gender": {GENDERS[k]: float((g_pred == yg)[yg == k].mean()) for k in range(2)},
        "age_accuracy": float((age == ya).mean()),
        "age_within_one_bin": float((np.abs(age - ya) <= 1).mean()),
        "age_within_one_bin_by_age": {AGE_BINS[k]: float((np.abs(age - ya) <= 1)[ya == k].mean()) for k in range(9) if (ya == k).any()},
        "race_accuracy": float((race == yr).mean()),
        "race_accuracy_by_race": {RACES[k]: float((race == yr)[yr == k].mean()) for k in range(7) if (yr == k).any()},
    }
    rep["summary"] = (f"gender {rep['gender_accuracy']:.3f} age {rep['age_accuracy']:.3f} "
                      f"(+-1 {rep['age_within_one_bin']:.3f}) race {rep['race_accuracy']:.3f}")
    return rep


def export(net, Exported, path):
    import torch

    wrapped = Exported(net).eval()
    dummy = torch.zeros(2, INPUT_PX, INPUT_PX, 3, dtype=torch.uint8)
    torch.onnx.export(wrapped, (dummy,), str(path), opset_version=17, dynamo=False,
                      input_names=["image"], output_names=["p_male", "age_probs", "race_probs"],
                      dynamic_axes={"image": {0: "batch"}, "p_male": {0: "batch"}, "age_probs": {0: "batch"},
                                    "race_probs": {0: "batch"}})
    import onnx

    m = onnx.load(str(path))
    for key, value in {"input_pixels": str(INPUT_PX), "canvas_box": json.dumps(CLASSIFIER_BOX),
                       "purpose": "evaluation only: measures rendered portraits; never a claim about a speaker",
                       "data": "FairFace (Karkkainen & Joo, WACV 2021), CC BY 4.0"}.items():
        entry = m.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(m, str(path))
