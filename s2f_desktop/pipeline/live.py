"""One poll of the live pipeline: drain the source, update level, spectrogram and voice activity.

Called by one display timer (Friture's design: one timer drains the buffer and updates everything), so there are
no extra threads to synchronise. It is cheap (a few 10 ms blocks of FFT and VAD); model inference for the
portrait runs elsewhere (see pipeline/portrait_worker.py) and only receives the speech samples this produces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from s2f_desktop.dsp.level import SILENCE_DB, Level, measure_level
from s2f_desktop.dsp.stft import StreamingStft
from s2f_desktop.inference.vad import CHUNK, SAMPLE_RATE, SPEECH_THRESHOLD, SileroVad, StreamingVad
from s2f_desktop.pipeline.spectrogram import SpectrogramModel

RELEASE_THRESHOLD = SPEECH_THRESHOLD - 0.15  # hysteresis: speech ends when the probability falls below this
HANGOVER_CHUNKS = 8  # ~250 ms of low probability before speech is declared over


class AudioSource(Protocol):
    def read_new(self) -> np.ndarray: ...


@dataclass
class PollResult:
    new_samples: int
    level: Level
    speaking: bool
    speech_audio: np.ndarray  # the speech samples found in this poll (for the portrait's evidence)


@dataclass
class PipelineStats:
    samples_total: int = 0
    speech_samples: int = 0
    clipped_samples: int = 0
    peak_hold_db: float = SILENCE_DB
    speech_onsets: list[float] = field(default_factory=list)  # stream times (s) where speech began

    @property
    def seconds_total(self) -> float:
        return self.samples_total / SAMPLE_RATE

    @property
    def speech_seconds(self) -> float:
        return self.speech_samples / SAMPLE_RATE


class LivePipeline:
    def __init__(self, vad: SileroVad | None = None, spectrogram: SpectrogramModel | None = None) -> None:
        self.spectrogram = spectrogram or SpectrogramModel()
        self._stft = StreamingStft()
        self._vad = StreamingVad(vad)
        self.stats = PipelineStats()
        self._speaking = False
        self._quiet_chunks = 0
        self._vad_samples = 0  # stream samples already judged by the VAD
        self.on_speech: Callable[[np.ndarray], None] | None = None

    @property
    def vad_provider(self) -> str:
        return self._vad.vad.provider

    def reset(self) -> None:
        """Forget the stream (new source): clears the spectrogram and all counters."""
        self.spectrogram.clear()
        self._stft.reset()
        self._vad.reset()
        self.stats = PipelineStats()
        self._speaking = False
        self._quiet_chunks = 0
        self._vad_samples = 0

    def poll(self, source: AudioSource) -> PollResult:
        return self.feed(source.read_new())

    def feed(self, audio: np.ndarray) -> PollResult:
        level = measure_level(audio)
        self.stats.samples_total += len(audio)
        self.stats.clipped_samples += level.clipped_samples
        self.stats.peak_hold_db = max(self.stats.peak_hold_db, level.peak_db)
        self.spectrogram.push(self._stft.push(audio))
        probs, chunks = self._vad.push(audio)
        speech_parts = []
        for prob, chunk in zip(probs, chunks, strict=True):
            start = self._vad_samples
            self._vad_samples += CHUNK
            if self._update_speaking(float(prob), start):
                self.spectrogram.mark_speech(start, start + CHUNK)
                speech_parts.append(chunk)
        speech = np.concatenate(speech_parts) if speech_parts else np.zeros(0, dtype=np.float32)
        self.stats.speech_samples += len(speech)
        if len(speech) and self.on_speech is not None:
            self.on_speech(speech)
        return PollResult(new_samples=len(audio), level=level, speaking=self._speaking, speech_audio=speech)

    def _update_speaking(self, prob: float, start_sample: int) -> bool:
        if prob >= SPEECH_THRESHOLD:
            if not self._speaking:
                self.stats.speech_onsets.append(start_sample / SAMPLE_RATE)
            self._speaking = True
            self._quiet_chunks = 0
        elif self._speaking and prob < RELEASE_THRESHOLD:
            self._quiet_chunks += 1
            if self._quiet_chunks > HANGOVER_CHUNKS:
                self._speaking = False
        return self._speaking
