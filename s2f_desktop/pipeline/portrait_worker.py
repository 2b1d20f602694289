"""The live portrait on its own thread: speech in (from the display timer), snapshots out (to the display timer).

Estimates are refreshed ~5 times a second while new speech flows; between them the shown latent glides toward
the newest estimate (a few renders per second, stopping once it arrives), so the face morphs instead of jumping.
All model work happens here, never on the UI thread; the UI only reads the latest immutable snapshot.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from s2f_desktop.inference.voice_attributes import AttributeEstimate
from s2f_desktop.portrait.engine import HistoryPoint, PortraitEngine
from s2f_desktop.portrait.settings import PortraitSettings

MIN_FIRST_SPEECH_S = 0.5  # the first portrait needs this much speech (a broad, uncertain average)
UPDATE_INTERVAL_S = 0.2  # estimates at 5 Hz while speech flows
MORPH_INTERVAL_S = 0.1  # morph frames at up to 10 Hz
MORPH_RATE = 0.35  # share of the remaining distance covered per morph frame (~0.6 s to settle)
SETTLED = 2e-3  # latent distance below which the morph has arrived


def certainty(joint: np.ndarray) -> float:
    """1 - normalised entropy of the gender x age table: 0 = no idea, 1 = one cell certain."""
    p = np.asarray(joint, dtype=np.float64).reshape(-1)
    p = p[p > 0] / p.sum()
    return float(1.0 - (-(p * np.log(p)).sum()) / math.log(np.asarray(joint).size))


@dataclass(frozen=True)
class PortraitSnapshot:
    sequence: int = 0
    image: np.ndarray | None = None
    latent: np.ndarray | None = None
    attributes: AttributeEstimate | None = None
    speech_seconds: float = 0.0
    history: tuple[HistoryPoint, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)
    estimates: int = 0
    renders: int = 0
    paused: bool = False
    first_portrait_time: float | None = None  # time.monotonic() of the first portrait since the last reset


class PortraitWorker:
    def __init__(self, engine: PortraitEngine, settings: PortraitSettings | None = None) -> None:
        self.engine = engine
        self.settings = settings or PortraitSettings()
        self.snapshot = PortraitSnapshot()
        self.error: str | None = None
        self._inbox: queue.SimpleQueue[tuple[str, object]] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._paused = False
        self._clear_state()

    # ---------------------------------------------------------------- called from any thread
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="portrait", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def submit_speech(self, audio: np.ndarray) -> None:
        self._inbox.put(("speech", np.array(audio, dtype=np.float32)))

    def reset(self) -> None:
        self._inbox.put(("reset", None))

    def set_paused(self, paused: bool) -> None:
        self._inbox.put(("pause", paused))

    def set_settings(self, settings: PortraitSettings) -> None:
        self._inbox.put(("settings", settings))

    def show_estimate(self, attributes: AttributeEstimate, history: tuple[HistoryPoint, ...] = ()) -> None:
        """Show the result of a whole-recording analysis (replaces the live evidence)."""
        self._inbox.put(("estimate", (attributes, history)))

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every message sent so far is handled and the morph has settled (tests, CLI)."""
        done = threading.Event()
        self._inbox.put(("barrier", done))
        if not done.wait(timeout):
            return False
        deadline = time.monotonic() + timeout
        while self._moving() and time.monotonic() < deadline:
            time.sleep(0.02)
        return not self._moving()

    # ---------------------------------------------------------------- the worker thread
    def _clear_state(self) -> None:
        self._attributes: AttributeEstimate | None = None
        self._target: np.ndarray | None = None
        self._shown: np.ndarray | None = None
        self._rendered: np.ndarray | None = None
        self._new_speech = False
        self._last_estimate = 0.0
        self._timings: dict[str, float] = {}
        self._estimates = 0
        self._renders = 0
        self._first_time: float | None = None
        self._image: np.ndarray | None = None
        self._fixed_speech_seconds: float | None = None  # set when showing a whole-file analysis

    def _moving(self) -> bool:
        return self._target is not None and (
            self._rendered is None or float(np.abs(self._target - self._rendered).max()) > SETTLED
        )

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._handle(*self._inbox.get(timeout=MORPH_INTERVAL_S))
                while True:  # drain everything that is waiting before doing model work
                    self._handle(*self._inbox.get_nowait())
            except queue.Empty:
                pass
            try:
                self._step()
            except Exception as exc:  # noqa: BLE001 - reported in the window; the thread keeps serving
                self.error = f"The portrait could not be updated: {exc}"

    def _handle(self, kind: str, payload: object) -> None:
        if kind == "speech" and not self._paused:
            assert isinstance(payload, np.ndarray)
            windows, per_window_ms = self.engine.add_speech(payload)
            if windows:
                self._timings["encoder_ms"] = per_window_ms
            self._new_speech = True
            self._fixed_speech_seconds = None
        elif kind == "reset":
            self.engine.reset()
            self._clear_state()
            self._publish()
        elif kind == "pause":
            self._paused = bool(payload)
            self._publish()
        elif kind == "settings":
            assert isinstance(payload, PortraitSettings)
            self.settings = payload
            if self._attributes is not None:
                self._target = self.engine.latent_for(self._attributes.joint, payload)
        elif kind == "estimate":
            assert isinstance(payload, tuple)
            attributes: AttributeEstimate = payload[0]
            history: tuple[HistoryPoint, ...] = payload[1]
            self.engine.reset()
            self.engine.history = list(history)
            self._new_speech = False
            self._attributes = attributes
            self._fixed_speech_seconds = attributes.speech_seconds
            self._target = self.engine.latent_for(attributes.joint, self.settings)
            self._estimates += 1
            self._publish()
        elif kind == "barrier":
            self._step(force_estimate=True)
            assert isinstance(payload, threading.Event)
            payload.set()

    def _step(self, force_estimate: bool = False) -> None:
        now = time.monotonic()
        due = force_estimate or now - self._last_estimate >= UPDATE_INTERVAL_S
        if self._new_speech and due and self.engine.evidence.speech_seconds >= MIN_FIRST_SPEECH_S:
            estimate = self.engine.estimate(self.settings)
            if estimate is not None:
                self._attributes = estimate.attributes
                self._target = estimate.target_latent
                self._timings["attributes_ms"] = estimate.attributes_ms
                self._estimates += 1
            self._new_speech = False
            self._last_estimate = now
        if not self._moving():
            return
        assert self._target is not None
        if self._shown is None:
            self._shown = self._target.copy()  # the first portrait: already a blend across the posterior
        else:
            self._shown = self._shown + (self._target - self._shown) * MORPH_RATE
            if float(np.abs(self._target - self._shown).max()) <= SETTLED:
                self._shown = self._target.copy()
        self._image, self._timings["decoder_ms"] = self.engine.render(self._shown, self.settings.size)
        self._rendered = self._shown.copy()
        self._renders += 1
        if self._first_time is None:
            self._first_time = time.monotonic()
        self._publish()

    def _publish(self) -> None:
        self.snapshot = PortraitSnapshot(
            sequence=self.snapshot.sequence + 1,
            image=self._image,
            latent=self._rendered,
            attributes=self._attributes,
            speech_seconds=self._fixed_speech_seconds or self.engine.evidence.speech_seconds,
            history=tuple(self.engine.history),
            timings_ms=dict(self._timings),
            estimates=self._estimates,
            renders=self._renders,
            paused=self._paused,
            first_portrait_time=self._first_time,
        )
