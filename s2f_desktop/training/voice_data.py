"""Voice training data: manifests -> speakers -> speech-only audio -> cached window embeddings.

Stage 1 (speech cache): every clip is decoded to 16 kHz (the app's file reader), reduced to its speech with the
app's silero VAD, and a speaker's clips are concatenated in manifest order into one speech stream. Per speaker
there are only ~5 clips (speechocean762) or ~2.7 clips (commonvoice), so crops longer than one clip come from
this stream — exactly what the app's VAD-gated accumulator sees when someone talks with pauses.

Stage 2 (embedding cache): each stream is rendered in several channel variants (voice_augment.py), and the
encoder embeds every 1.6 s window of each variant once. A crop of n consecutive windows then has the utterance
embedding normalised-mean(windows k..k+n-1), the same number the app computes for that stretch of speech, so
crops of any length cost nothing more. Evidence shorter than one window (< 1.6 s) gets its own zero-padded
embeddings (a few random short crops per speaker and variant).

Both stages cache under artifacts/voice/ (gitignored), keyed by the manifest's content, so retraining is quick;
deleting artifacts/ rebuilds everything from the raw data.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = ROOT / "artifacts" / "voice"
SAMPLE_RATE = 16000
SHORT_CROPS_PER_VARIANT = 4
SHORT_CROP_RANGE_S = (0.7, 1.6)
CACHE_VERSION = 2


@dataclass(frozen=True)
class Speaker:
    key: str  # "<corpus>/<speaker_id>": unique over manifests
    corpus: str
    gender: str  # "male" / "female"
    age_low: float
    age_high: float
    language: str
    clips: tuple[Path, ...]

    @property
    def exact_age(self) -> bool:
        return self.age_low == self.age_high


def read_manifest(manifest: Path) -> list[Speaker]:
    """Group a manifest's clips by speaker. The corpus name is the manifest's folder name."""
    corpus = manifest.resolve().parent.name
    rows: dict[str, list[dict[str, str]]] = {}
    with open(manifest, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["gender"] not in ("male", "female") or not row["age_low"] or not row["age_high"]:
                continue  # unlabelled rows cannot teach anything
            rows.setdefault(row["speaker_id"], []).append(row)
    speakers = []
    for speaker_id, clips in rows.items():
        first = clips[0]
        speakers.append(
            Speaker(
                key=f"{corpus}/{speaker_id}",
                corpus=corpus,
                gender=first["gender"],
                age_low=float(first["age_low"]),
                age_high=float(first["age_high"]),
                language=first.get("language", "") or "",
                clips=tuple(manifest.resolve().parent / c["path"] for c in clips),
            )
        )
    return speakers


def _manifest_tag(manifest: Path) -> str:
    digest = hashlib.sha256(manifest.read_bytes()).hexdigest()[:12]
    return f"{manifest.resolve().parent.name}_{digest}"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def speech_streams(manifest: Path, speakers: list[Speaker]) -> dict[str, np.ndarray]:
    """Speaker key -> concatenated speech (float32 16 kHz), cached."""
    path = CACHE_DIR / f"speech_{_manifest_tag(manifest)}.npz"
    if path.exists():
        with np.load(path) as data:
            return {s.key: data[s.key.replace("/", "__")].astype(np.float32) / 32767.0 for s in speakers if s.key.replace("/", "__") in data}
    from s2f_desktop.audio.file_source import AudioFileError, read_16k

    clips: list[tuple[str, np.ndarray]] = []
    started = time.time()
    for speaker in speakers:
        for clip in speaker.clips:
            try:
                clips.append((speaker.key, read_16k(clip)))
            except AudioFileError as exc:
                log(f"skipping {clip}: {exc}")
    log(f"decoded {len(clips)} clips of {manifest.parent.name} ({time.time() - started:.0f} s)")
    speech = clips_speech_only([audio for _, audio in clips])
    parts: dict[str, list[np.ndarray]] = {}
    for (key, _), kept in zip(clips, speech, strict=True):
        parts.setdefault(key, []).append(kept)
    streams = {k: np.concatenate(v) for k, v in parts.items() if sum(len(x) for x in v) >= SAMPLE_RATE // 2}
    log(f"VAD done for {manifest.parent.name} ({time.time() - started:.0f} s)")
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    np.savez(path, **{k.replace("/", "__"): np.round(np.clip(v, -1, 1) * 32767).astype(np.int16) for k, v in streams.items()})
    return {k: np.round(np.clip(v, -1, 1) * 32767).astype(np.int16).astype(np.float32) / 32767.0 for k, v in streams.items()}


def clips_speech_only(clips: list[np.ndarray], batch: int = 64) -> list[np.ndarray]:
    """The app's silero VAD + segment rules on many short clips, run as batches of clips (one state per clip).

    The same decisions as `SileroVad.speech_only(clip)` for clips up to 30 s (state starts at zero per clip),
    but one model call serves up to `batch` clips instead of one.
    """
    from s2f_desktop.inference.vad import CHUNK, CONTEXT, STATE_SHAPE, SileroVad, segments_from_probabilities

    vad = SileroVad(threads=1)
    order = sorted(range(len(clips)), key=lambda i: len(clips[i]))
    out: list[np.ndarray] = [np.zeros(0, np.float32)] * len(clips)
    for first in range(0, len(order), batch):
        group = order[first : first + batch]
        n_chunks = max(len(clips[i]) // CHUNK for i in group)
        rows = np.zeros((len(group), max(n_chunks, 1) * CHUNK), dtype=np.float32)
        for row, i in enumerate(group):
            usable = len(clips[i]) // CHUNK * CHUNK
            rows[row, :usable] = clips[i][:usable]
        state = np.zeros((STATE_SHAPE[0], len(group), STATE_SHAPE[1]), dtype=np.float32)
        context = np.zeros((len(group), CONTEXT), dtype=np.float32)
        probs = np.zeros((len(group), n_chunks), dtype=np.float32)
        for step in range(n_chunks):
            chunk = rows[:, step * CHUNK : (step + 1) * CHUNK]
            probs[:, step], state = vad.run_batch(np.concatenate([context, chunk], axis=1), state)
            context = chunk[:, -CONTEXT:]
        for row, i in enumerate(group):
            own = probs[row, : len(clips[i]) // CHUNK]
            segments = segments_from_probabilities(own, n_samples=len(clips[i]))
            kept = [clips[i][s:e] for s, e in segments]
            out[i] = np.concatenate(kept).astype(np.float32) if kept else np.zeros(0, np.float32)
    return out


@dataclass
class SpeakerEmbeddings:
    """Cached encoder output for one speaker: per variant, window embeddings and short-crop embeddings."""

    windows: list[np.ndarray]  # per variant (n_windows, 256) float32
    short: list[np.ndarray]  # per variant (SHORT_CROPS_PER_VARIANT, 256)
    short_seconds: list[np.ndarray]  # per variant (SHORT_CROPS_PER_VARIANT,)
    speech_seconds: float


def embedding_cache(manifest: Path, speakers: list[Speaker], n_variants: int) -> dict[str, SpeakerEmbeddings]:
    """Speaker key -> SpeakerEmbeddings for `n_variants` channel variants (variant 0 = the recording as is)."""
    from s2f_desktop.training.voice_augment import augment

    path = CACHE_DIR / f"embeddings_v{CACHE_VERSION}_{_manifest_tag(manifest)}_x{n_variants}.npz"
    if path.exists():
        return _load_embeddings(path)
    streams = speech_streams(manifest, speakers)
    from s2f_desktop.inference.voice_encoder import VoiceEncoder

    encoder = VoiceEncoder(threads=1)
    out: dict[str, SpeakerEmbeddings] = {}
    started = time.time()
    for index, speaker in enumerate(speakers):
        speech = streams.get(speaker.key)
        if speech is None:
            continue
        seed = int.from_bytes(hashlib.sha256(speaker.key.encode()).digest()[:4], "little")
        windows, short, short_seconds = [], [], []
        for variant in range(n_variants):
            rng = np.random.default_rng([seed, variant])
            audio = augment(speech, variant, rng)
            windows.append(encoder.window_embeddings(audio))
            lengths = rng.uniform(*SHORT_CROP_RANGE_S, size=SHORT_CROPS_PER_VARIANT)
            crops = []
            for length in lengths:
                n = min(len(audio), int(length * SAMPLE_RATE))
                start = int(rng.integers(0, len(audio) - n + 1))
                crops.append(encoder.embed_utterance(audio[start : start + n]))
            short.append(np.stack(crops))
            short_seconds.append(np.minimum(lengths, len(audio) / SAMPLE_RATE))
        out[speaker.key] = SpeakerEmbeddings(windows, short, short_seconds, len(speech) / SAMPLE_RATE)
        if index % 50 == 0:
            log(f"embeddings {manifest.parent.name}: {index}/{len(speakers)} speakers ({time.time() - started:.0f} s)")
    _save_embeddings(path, out)
    return out


def _save_embeddings(path: Path, cache: dict[str, SpeakerEmbeddings]) -> None:
    arrays: dict[str, np.ndarray] = {}
    index = {}
    for i, (key, item) in enumerate(cache.items()):
        index[key] = i
        for v, (w, s, ss) in enumerate(zip(item.windows, item.short, item.short_seconds, strict=True)):
            arrays[f"w{i}_{v}"] = w.astype(np.float16)
            arrays[f"s{i}_{v}"] = s.astype(np.float16)
            arrays[f"t{i}_{v}"] = ss.astype(np.float32)
        arrays[f"sec{i}"] = np.array(item.speech_seconds)
    arrays["index"] = np.frombuffer(json.dumps(index).encode(), dtype=np.uint8)
    arrays["n_variants"] = np.array(len(next(iter(cache.values())).windows))
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, **arrays)
    tmp.replace(path)


def _load_embeddings(path: Path) -> dict[str, SpeakerEmbeddings]:
    with np.load(path) as data:
        index = json.loads(bytes(data["index"]).decode())
        n_variants = int(data["n_variants"])
        out = {}
        for key, i in index.items():
            out[key] = SpeakerEmbeddings(
                windows=[data[f"w{i}_{v}"].astype(np.float32) for v in range(n_variants)],
                short=[data[f"s{i}_{v}"].astype(np.float32) for v in range(n_variants)],
                short_seconds=[data[f"t{i}_{v}"] for v in range(n_variants)],
                speech_seconds=float(data[f"sec{i}"]),
            )
    return out


def load_all(manifests: list[Path], n_variants: int) -> tuple[list[Speaker], dict[str, SpeakerEmbeddings]]:
    speakers: list[Speaker] = []
    cache: dict[str, SpeakerEmbeddings] = {}
    for manifest in manifests:
        these = read_manifest(Path(manifest))
        cache.update(embedding_cache(Path(manifest), these, n_variants))
        speakers.extend(these)
    speakers = [s for s in speakers if s.key in cache]
    return speakers, cache


if __name__ == "__main__":  # build the caches: python -m s2f_desktop.training.voice_data MANIFEST... [--variants N]
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("manifests", nargs="+", type=Path)
    parser.add_argument("--variants", type=int, default=4)
    args = parser.parse_args()
    found, _ = load_all(args.manifests, args.variants)
    log(f"{len(found)} speakers cached")
