"""Speech in, portrait out: the evidence accumulator, the attribute model and the face decoder in one object.

Synchronous and Qt-free: the live worker, the command line, the soak run and the tests all drive this same code.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from s2f_desktop.inference.speech_evidence import SpeechEvidence
from s2f_desktop.inference.voice_attributes import AttributeEstimate, VoiceAttributes
from s2f_desktop.inference.voice_encoder import VoiceEncoder
from s2f_desktop.portrait.face_model import FaceModel, load_face_model
from s2f_desktop.portrait.latent import latent_from_joint
from s2f_desktop.portrait.settings import PortraitSettings, apply_overrides


@dataclass(frozen=True)
class HistoryPoint:
    speech_seconds: float
    p_male: float
    age_years: float
    p_child: float


@dataclass(frozen=True)
class Estimate:
    attributes: AttributeEstimate
    target_latent: np.ndarray
    encoder_ms: float
    attributes_ms: float


class PortraitEngine:
    def __init__(
        self,
        encoder: VoiceEncoder | None = None,
        attributes: VoiceAttributes | None = None,
        face: FaceModel | None = None,
    ) -> None:
        self.evidence = SpeechEvidence(encoder or VoiceEncoder())
        self.attributes = attributes or VoiceAttributes()
        self.face = face or load_face_model(threads=1)
        self.history: list[HistoryPoint] = []

    @property
    def providers(self) -> dict[str, str]:
        return {
            "voice_encoder.onnx": self.evidence.encoder.provider,
            "voice_to_face.onnx": self.attributes.provider,
            "face_decoder.onnx": self.face.provider,
        }

    def reset(self) -> None:
        self.evidence.reset()
        self.history = []

    def add_speech(self, audio: np.ndarray) -> tuple[int, float]:
        """Add VAD-approved speech; returns (windows embedded, milliseconds per window embedded)."""
        start = time.perf_counter()
        windows = self.evidence.add_speech(audio)
        return windows, (time.perf_counter() - start) * 1000 / max(1, windows)

    def estimate(self, settings: PortraitSettings) -> Estimate | None:
        """The current attribute posterior and the latent it asks for (None before any speech)."""
        start = time.perf_counter()
        embedding = self.evidence.embedding()
        if embedding is None:
            return None
        encoder_ms = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        attributes = self.attributes.estimate(embedding, self.evidence.speech_seconds)
        attributes_ms = (time.perf_counter() - start) * 1000
        self.history.append(
            HistoryPoint(attributes.speech_seconds, attributes.p_male, attributes.age_years, attributes.p_child)
        )
        return Estimate(attributes, self.latent_for(attributes.joint, settings), encoder_ms, attributes_ms)

    @staticmethod
    def latent_for(joint: np.ndarray, settings: PortraitSettings) -> np.ndarray:
        return latent_from_joint(apply_overrides(joint, settings), np.array(settings.race_prior))

    def render(self, latent: np.ndarray, size: int = 256) -> tuple[np.ndarray, float]:
        start = time.perf_counter()
        image = self.face.render(latent, size)
        return image, (time.perf_counter() - start) * 1000
