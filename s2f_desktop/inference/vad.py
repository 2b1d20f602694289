"""Voice activity detection with silero VAD's shipped ONNX model (models/silero_vad.onnx, MIT).

The model reads 512 new samples at 16 kHz (32 ms) plus the previous 64 samples as context, and carries an LSTM
state. For files we cut the audio into independent 30 s segments and run them as one batch (state per segment):
about 20x faster than chunk by chunk, and the result depends only on the audio, never on how it was read.
"""

from __future__ import annotations

import numpy as np

from s2f_desktop.inference.session import LoadedModel, load_model

SAMPLE_RATE = 16000
CHUNK = 512  # samples per decision (32 ms)
CONTEXT = 64  # samples of the previous chunk the model sees
STATE_SHAPE = (2, 128)
SEGMENT_CHUNKS = 30 * SAMPLE_RATE // CHUNK  # 937 chunks = 29.98 s per independent batch row
MODEL_FILE = "silero_vad.onnx"

SPEECH_THRESHOLD = 0.5
MIN_SPEECH_S = 0.25  # shorter bursts (clicks, coughs) are not speech
MIN_GAP_S = 0.30  # shorter pauses inside speech are closed
PAD_S = 0.10  # keep a little audio around each speech region


class SileroVad:
    """Speech probability per 32 ms chunk, for whole recordings (batched)."""

    def __init__(self, threads: int = 1, model: LoadedModel | None = None) -> None:
        self.model = model or load_model(MODEL_FILE, threads=threads)
        self._sample_rate = np.array(SAMPLE_RATE, dtype=np.int64)

    @property
    def provider(self) -> str:
        return self.model.provider

    def run_batch(self, chunks: np.ndarray, state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One step for a batch: chunks (B, CONTEXT + CHUNK) float32, state (2, B, 128) -> (probs (B,), state)."""
        probs, new_state = self.model.session.run(
            None, {"input": chunks, "state": state, "sr": self._sample_rate}
        )
        return probs[:, 0], new_state

    def probabilities(self, audio: np.ndarray) -> np.ndarray:
        """Speech probability for each full 512-sample chunk of 16 kHz mono audio."""
        n_chunks = len(audio) // CHUNK
        if n_chunks == 0:
            return np.zeros(0, dtype=np.float32)
        n_rows = -(-n_chunks // SEGMENT_CHUNKS)
        padded = np.zeros(n_rows * SEGMENT_CHUNKS * CHUNK, dtype=np.float32)
        padded[: n_chunks * CHUNK] = audio[: n_chunks * CHUNK]
        rows = padded.reshape(n_rows, SEGMENT_CHUNKS, CHUNK)
        state = np.zeros((STATE_SHAPE[0], n_rows, STATE_SHAPE[1]), dtype=np.float32)
        context = np.zeros((n_rows, CONTEXT), dtype=np.float32)
        out = np.empty((n_rows, SEGMENT_CHUNKS), dtype=np.float32)
        for step in range(SEGMENT_CHUNKS):
            chunk = rows[:, step, :]
            out[:, step], state = self.run_batch(np.concatenate([context, chunk], axis=1), state)
            context = chunk[:, -CONTEXT:]
        return out.reshape(-1)[:n_chunks]

    def speech_segments(self, audio: np.ndarray, threshold: float = SPEECH_THRESHOLD) -> list[tuple[int, int]]:
        """Speech regions as (start, end) sample indices, padded, with short gaps closed."""
        return segments_from_probabilities(self.probabilities(audio), threshold, len(audio))

    def speech_only(self, audio: np.ndarray, threshold: float = SPEECH_THRESHOLD) -> np.ndarray:
        """The speech samples of `audio`, concatenated in order."""
        parts = [audio[start:end] for start, end in self.speech_segments(audio, threshold)]
        return np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, dtype=np.float32)


def segments_from_probabilities(
    probs: np.ndarray, threshold: float = SPEECH_THRESHOLD, n_samples: int | None = None
) -> list[tuple[int, int]]:
    """Turn per-chunk probabilities into clean speech regions (in samples)."""
    is_speech = probs >= threshold
    regions: list[list[int]] = []
    start = None
    for index, flag in enumerate(is_speech):
        if flag and start is None:
            start = index
        elif not flag and start is not None:
            regions.append([start, index])
            start = None
    if start is not None:
        regions.append([start, len(is_speech)])
    min_gap = int(MIN_GAP_S * SAMPLE_RATE / CHUNK)
    merged: list[list[int]] = []
    for region in regions:
        if merged and region[0] - merged[-1][1] <= min_gap:
            merged[-1][1] = region[1]
        else:
            merged.append(region)
    min_len = int(MIN_SPEECH_S * SAMPLE_RATE / CHUNK)
    limit = n_samples if n_samples is not None else len(probs) * CHUNK
    pad = int(PAD_S * SAMPLE_RATE)
    return [
        (max(0, s * CHUNK - pad), min(limit, e * CHUNK + pad)) for s, e in merged if e - s >= min_len
    ]


class StreamingVad:
    """Chunk-by-chunk VAD for live audio: push any amount of 16 kHz audio, get one probability per 32 ms."""

    def __init__(self, vad: SileroVad | None = None) -> None:
        self.vad = vad or SileroVad()
        self.reset()

    def reset(self) -> None:
        self._state = np.zeros((STATE_SHAPE[0], 1, STATE_SHAPE[1]), dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)

    def push(self, audio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Feed new samples; returns (probabilities, audio) of every chunk they completed: shapes (n,), (n, 512)."""
        self._pending = np.concatenate([self._pending, audio.astype(np.float32, copy=False)])
        n_chunks = len(self._pending) // CHUNK
        probs = np.empty(n_chunks, dtype=np.float32)
        for index in range(n_chunks):
            chunk = self._pending[index * CHUNK : (index + 1) * CHUNK]
            frame = np.concatenate([self._context, chunk])[None, :]
            value, self._state = self.vad.run_batch(frame, self._state)
            probs[index] = value[0]
            self._context = chunk[-CONTEXT:]
        chunks = self._pending[: n_chunks * CHUNK].reshape(n_chunks, CHUNK)
        self._pending = self._pending[n_chunks * CHUNK :].copy()
        return probs, chunks
