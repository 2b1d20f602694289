"""The kiosk's visitor logic, Qt-free: attract -> visit on speech -> attract after N s of silence (reset all).

The kiosk window drives it with wall-clock time; `s2f soak` drives the very same object with stream time
(accelerated playback), so the soak exercises exactly the resets the exhibition performs. It imports no Qt
(it sits beside the kiosk window only because that is where the kiosk lives).
"""

from __future__ import annotations

from dataclasses import dataclass

from s2f_desktop.pipeline.live import LivePipeline, PollResult
from s2f_desktop.pipeline.portrait_worker import PortraitWorker

ATTRACT = "attract"
VISIT = "visit"


@dataclass
class SessionCounters:
    visits: int = 0
    resets: int = 0  # visits ended (silence, or a visit longer than max_visit_s, or a device failure)
    long_visits: int = 0  # of which ended by max_visit_s


class KioskSession:
    def __init__(
        self,
        pipeline: LivePipeline,
        worker: PortraitWorker,
        silence_timeout_s: float = 8.0,
        max_visit_s: float | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.worker = worker
        self.silence_timeout_s = silence_timeout_s
        self.max_visit_s = max_visit_s
        self.state = ATTRACT
        self.counters = SessionCounters()
        self.visit_started: float | None = None  # `now` of the first speech of this visit
        self.last_voice: float | None = None  # `now` of the newest speech
        pipeline.on_speech = worker.submit_speech

    def observe(self, result: PollResult, now: float) -> str | None:
        """Feed one poll's result; returns "visit" / "attract" when the state changed, else None."""
        if result.speaking or len(result.speech_audio):
            self.last_voice = now
            if self.state == ATTRACT:
                self.state = VISIT
                self.visit_started = now
                self.counters.visits += 1
                return VISIT
        if self.state != VISIT:
            return None
        assert self.last_voice is not None and self.visit_started is not None
        if now - self.last_voice > self.silence_timeout_s:
            self.end_visit()
            return ATTRACT
        if self.max_visit_s is not None and now - self.visit_started > self.max_visit_s:
            self.counters.long_visits += 1
            self.end_visit()
            return ATTRACT
        return None

    def silence_s(self, now: float) -> float:
        return 0.0 if self.last_voice is None or self.state != VISIT else max(0.0, now - self.last_voice)

    def end_visit(self) -> None:
        """Forget the visitor: the portrait, the speech evidence and the spectrogram."""
        if self.state == VISIT:
            self.counters.resets += 1
        self.worker.reset()
        self.pipeline.reset()
        self.state = ATTRACT
        self.visit_started = None
        self.last_voice = None
