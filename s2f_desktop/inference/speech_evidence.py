"""Running voice evidence for live use: VAD-gated speech in, running utterance embedding out.

Feed only speech (the VAD decides) with `add_speech`, in chunks of any size. Each time a new 1.6 s window of the
speech stream is complete it is embedded once (about 10 ms on one CPU thread), and the running evidence is the
normalised mean of all window embeddings so far: the same windows, the same numbers as
`VoiceEncoder.embed_utterance` on the concatenated speech (see tests/test_voice_encoder.py). Before the first
window is complete, the embedding comes from the speech so far zero-padded to one window (resemblyzer's rule for
short utterances), so an estimate exists from the first fraction of a second. Old audio is dropped as soon as no
future window needs it, so memory stays flat over hours.
"""

from __future__ import annotations

import threading

import numpy as np

from s2f_desktop.dsp import mel
from s2f_desktop.inference.voice_encoder import EMBEDDING_SIZE, VoiceEncoder, normalise

SAMPLE_RATE = mel.SAMPLE_RATE


class SpeechEvidence:
    def __init__(self, encoder: VoiceEncoder | None = None) -> None:
        self.encoder = encoder or VoiceEncoder()
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with getattr(self, "_lock", threading.Lock()):
            self._buffer = np.zeros(0, dtype=np.float32)
            self._offset = 0  # absolute stream index of self._buffer[0]
            self._total = 0  # speech samples received
            self._windows_done = 0
            self._sum = np.zeros(EMBEDDING_SIZE, dtype=np.float64)
            self._provisional: tuple[int, np.ndarray] | None = None

    @property
    def speech_seconds(self) -> float:
        return self._total / SAMPLE_RATE

    @property
    def speech_samples(self) -> int:
        return self._total

    @property
    def window_count(self) -> int:
        return self._windows_done

    def add_speech(self, audio16k: np.ndarray) -> int:
        """Append speech samples (float32 mono 16 kHz); embed the windows they complete. Returns how many."""
        chunk = np.asarray(audio16k, dtype=np.float32).reshape(-1)
        with self._lock:
            if len(chunk):
                self._buffer = np.concatenate([self._buffer, chunk])
                self._total += len(chunk)
            complete = mel.complete_window_count(self._total)
            new = complete - self._windows_done
            if new > 0:
                mels = mel.window_mels(self._buffer, self._windows_done, new, stream_offset=self._offset)
                self._sum += self.encoder.embed_mels(mels).sum(axis=0, dtype=np.float64)
                self._windows_done = complete
                self._drop_used_audio()
            return max(new, 0)

    def _drop_used_audio(self) -> None:
        keep_from = mel.window_start_sample(self._windows_done) - mel.N_FFT // 2  # the next window's left context
        if keep_from > self._offset:
            self._buffer = self._buffer[keep_from - self._offset :].copy()
            self._offset = keep_from

    def embedding(self) -> np.ndarray | None:
        """The running utterance embedding (256,), or None before any speech arrived."""
        with self._lock:
            if self._windows_done:
                return normalise(self._sum)
            if self._total == 0:
                return None
            if self._provisional is None or self._provisional[0] != self._total:
                padded = mel.window_mels(self._buffer, 0, 1, stream_offset=self._offset)
                self._provisional = (self._total, self.encoder.embed_mels(padded)[0])
            return self._provisional[1].copy()
