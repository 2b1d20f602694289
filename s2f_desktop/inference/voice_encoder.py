"""The GE2E speaker encoder (models/voice_encoder.onnx, exported from resemblyzer): speech -> 256-d embeddings.

Speech is cut into 1.6 s windows (160 mel frames) every 77 frames (0.77 s); each window gives one L2-normalised
embedding, and an utterance is the normalised mean of its windows. Evidence shorter than one window is
zero-padded to one window, as resemblyzer does. Front-end and loudness rule: s2f_desktop/dsp/mel.py.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from s2f_desktop.dsp import mel
from s2f_desktop.inference.session import LoadedModel, load_model

MODEL_FILE = "voice_encoder.onnx"
EMBEDDING_SIZE = 256
BATCH = 32  # windows per ONNX call: big enough to amortise call overhead, small enough for a live worker


def normalise(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm > 0 else vector.astype(np.float32)


class VoiceEncoder:
    """`workers` > 1 opens that many single-threaded sessions of the encoder and spreads the batches of one
    `embed_mels` call over them (whole-file analysis: the second core is otherwise idle while the VAD producer waits).
    A window's embedding does not depend on the batch it is in, and every batch holds the same windows as with one
    worker, so the output is bit-identical to one worker. ONNX Runtime's own intra-op threads were slower here:
    their spinning workers compete with the VAD thread."""

    def __init__(self, threads: int = 1, model: LoadedModel | None = None, workers: int = 1) -> None:
        self.model = model or load_model(MODEL_FILE, threads=threads)
        self._input = self.model.session.get_inputs()[0].name
        self._extra = [load_model(self.model.path, threads=threads) for _ in range(max(workers, 1) - 1)]
        self._pool = ThreadPoolExecutor(len(self._extra), thread_name_prefix="voice-encoder") if self._extra else None

    @property
    def provider(self) -> str:
        return self.model.provider

    def embed_mels(self, mels: np.ndarray) -> np.ndarray:
        """(n, 160, 40) mel windows -> (n, 256) L2-normalised embeddings, in batches."""
        out = np.empty((len(mels), EMBEDDING_SIZE), dtype=np.float32)
        starts = list(range(0, len(mels), BATCH))
        sessions = [self.model.session] + [m.session for m in self._extra]
        if self._pool is None or len(starts) < 2:
            sessions = sessions[:1]

        def work(worker: int) -> None:  # batches worker, worker + n, ...: the same batches as with one worker
            for start in starts[worker :: len(sessions)]:
                batch = np.ascontiguousarray(mels[start : start + BATCH], dtype=np.float32)
                out[start : start + len(batch)] = sessions[worker].run(None, {self._input: batch})[0]

        futures = [self._pool.submit(work, w) for w in range(1, len(sessions))] if self._pool is not None else []
        work(0)
        for future in futures:
            future.result()
        return out

    def window_embeddings(self, speech: np.ndarray) -> np.ndarray:
        """Embeddings of every complete window of a speech stream; one padded window if none is complete."""
        count = mel.complete_window_count(len(speech))
        if count == 0:
            if len(speech) == 0:
                return np.zeros((0, EMBEDDING_SIZE), dtype=np.float32)
            return self.embed_mels(mel.window_mels(speech, 0, 1))
        embeddings = np.empty((count, EMBEDDING_SIZE), dtype=np.float32)
        step = 256  # bounded memory for hours of speech: mel windows are made a block at a time
        for first in range(0, count, step):
            n = min(step, count - first)
            embeddings[first : first + n] = self.embed_mels(mel.window_mels(speech, first, n))
        return embeddings

    def embed_utterance(self, speech: np.ndarray) -> np.ndarray:
        """Normalised mean of the window embeddings (zeros for no speech)."""
        windows = self.window_embeddings(speech)
        if len(windows) == 0:
            return np.zeros(EMBEDDING_SIZE, dtype=np.float32)
        return normalise(windows.mean(axis=0))
