"""Whole-recording voice analysis: file -> speech -> embedding -> gender x age estimate (what `s2f analyze` prints).

The file is decoded a block at a time (constant memory for hours of audio), silero VAD marks speech in batches of
30 s rows, and the speech goes through the same `SpeechEvidence` accumulator the live app uses (so a file and a
live stream of the same speech give the same numbers). Deterministic: same file, same models -> same output.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from s2f_desktop.audio.file_source import AudioFileError, iter_blocks_16k, probe
from s2f_desktop.inference.session import file_sha256
from s2f_desktop.inference.speech_evidence import SpeechEvidence
from s2f_desktop.inference.vad import CHUNK, SEGMENT_CHUNKS, SileroVad
from s2f_desktop.inference.voice_attributes import AGE_BINS, GENDERS, VoiceAttributes
from s2f_desktop.inference.voice_encoder import VoiceEncoder

SAMPLE_RATE = 16000
VAD_ROWS_PER_PASS = 24  # ~12 min of audio per VAD pass: big batches, bounded memory
MIN_SPEECH_SECONDS = 0.5  # less than this is no evidence at all
# Speech is handed to the accumulator in runs of this much (not per VAD segment of ~2-5 s): a few big mel and
# encoder calls instead of hundreds of small ones (about 40% less CPU); the accumulator's windows, and so its
# result, do not depend on how its input is chunked.
ENCODE_RUN_SAMPLES = 120 * SAMPLE_RATE
ENCODER_WORKERS = 2  # encoder sessions for file analysis (VoiceEncoder: bit-identical to one)


class AnalysisCancelled(Exception):
    pass


class NoSpeechError(AudioFileError):
    """The recording decodes but holds no detectable speech."""


@dataclass
class VoiceAnalysis:
    file: str
    speech_seconds: float
    analysed_seconds: float
    p_male: float
    p_child: float
    age_years: float
    age_bins: dict[str, float]
    joint: np.ndarray  # (2, 9) [male, female] x AGE_BINS
    provider: str
    providers: dict[str, str]
    models: dict[str, str] = field(default_factory=dict)  # model file name -> sha256
    windows: int = 0

    def to_json(self) -> dict[str, object]:
        """The `s2f analyze --json` object (the first seven keys are the contract other tools rely on)."""
        return {
            "file": self.file,
            "speech_seconds": round(self.speech_seconds, 3),
            "p_male": round(self.p_male, 6),
            "age_years": round(self.age_years, 2),
            "age_bins": {k: round(v, 6) for k, v in self.age_bins.items()},
            "provider": self.provider,
            "models": self.models,
            "p_child": round(self.p_child, 6),
            "joint": {g: {b: round(float(self.joint[i, j]), 6) for j, b in enumerate(AGE_BINS)} for i, g in enumerate(GENDERS)},
            "analysed_seconds": round(self.analysed_seconds, 3),
            "encoder_windows": self.windows,
            "providers": self.providers,
        }


_sha_cache: dict[tuple[str, float], str] = {}


def _sha(path: Path) -> str:
    key = (str(path), path.stat().st_mtime)
    if key not in _sha_cache:
        _sha_cache[key] = file_sha256(path)
    return _sha_cache[key]


class VoiceAnalyzer:
    """Holds the three ONNX sessions (VAD, encoder, attributes) so many files share one load.

    One thread per session by default; the encoder has ENCODER_WORKERS single-threaded sessions that share the
    batches of a run of speech, so decode + VAD and the encoder keep both cores busy.
    """

    def __init__(self, threads: int = 1, encoder_workers: int = ENCODER_WORKERS) -> None:
        self.vad = SileroVad(threads=threads)
        self.encoder = VoiceEncoder(threads=threads, workers=encoder_workers)
        self.attributes = VoiceAttributes(threads=threads)

    def model_hashes(self) -> dict[str, str]:
        return {m.path.name: _sha(m.path) for m in (self.vad.model, self.encoder.model, self.attributes.model)}

    def _speech_passes(
        self,
        path: str | Path,
        start_s: float,
        end_s: float | None,
        out: queue.Queue,
        stop: threading.Event,
    ) -> None:
        """Producer: decode the file, VAD it a pass (~12 min) at a time, queue (speech parts, pass samples)."""
        pass_samples = VAD_ROWS_PER_PASS * SEGMENT_CHUNKS * CHUNK
        pending: list[np.ndarray] = []
        pending_len = 0

        def emit(audio: np.ndarray) -> None:
            parts = [audio[s:e] for s, e in self.vad.speech_segments(audio)]
            while not stop.is_set():
                try:
                    out.put((parts, len(audio)), timeout=0.1)
                    return
                except queue.Full:
                    continue

        try:
            for block in iter_blocks_16k(path, block_seconds=30.0, start_s=start_s, end_s=end_s):
                if stop.is_set():
                    return
                pending.append(block)
                pending_len += len(block)
                if pending_len >= pass_samples:
                    audio = np.concatenate(pending)
                    pending, pending_len = [audio[pass_samples:]], len(audio) - pass_samples
                    emit(audio[:pass_samples])
            if pending_len and not stop.is_set():
                emit(np.concatenate(pending))
            out.put(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it in its thread
            out.put(exc)

    def speech(
        self,
        path: str | Path,
        max_seconds: float | None = None,
        start_s: float = 0.0,
        end_s: float | None = None,
        progress: Callable[[float], None] | None = None,
        cancel: Callable[[], bool] | threading.Event | None = None,
    ) -> SpeechStream:
        """The speech of [start_s, end_s), in order, as every analysis sees it (iterate over the result)."""
        return SpeechStream(self, path, max_seconds, start_s, end_s, progress, cancel)

    def analyze(
        self,
        path: str | Path,
        max_seconds: float | None = None,
        start_s: float = 0.0,
        end_s: float | None = None,
        progress: Callable[[float], None] | None = None,
        cancel: Callable[[], bool] | threading.Event | None = None,
    ) -> VoiceAnalysis:
        stream = self.speech(path, max_seconds, start_s, end_s, progress, cancel)
        evidence = SpeechEvidence(self.encoder)
        run: list[np.ndarray] = []
        run_samples = 0
        for speech in stream:
            run.append(speech)
            run_samples += len(speech)
            if run_samples >= ENCODE_RUN_SAMPLES:
                evidence.add_speech(np.concatenate(run))
                run, run_samples = [], 0
        if run:
            evidence.add_speech(np.concatenate(run))
        analysed = stream.analysed_samples
        if progress is not None:
            progress(1.0)
        speech_seconds = evidence.speech_seconds
        embedding = evidence.embedding()
        if embedding is None or speech_seconds < MIN_SPEECH_SECONDS:
            raise NoSpeechError(f"'{Path(path).name}' contains no detectable speech ({speech_seconds:.1f} s found).")
        estimate = self.attributes.estimate(embedding, speech_seconds)
        providers = {
            "voice_encoder.onnx": self.encoder.provider,
            "silero_vad.onnx": self.vad.provider,
            "voice_to_face.onnx": self.attributes.provider,
        }
        return VoiceAnalysis(
            file=str(path),
            speech_seconds=speech_seconds,
            analysed_seconds=analysed / SAMPLE_RATE,
            p_male=estimate.p_male,
            p_child=estimate.p_child,
            age_years=estimate.age_years,
            age_bins=estimate.age_bins,
            joint=estimate.joint,
            provider=self.encoder.provider,
            providers=providers,
            models=self.model_hashes(),
            windows=evidence.window_count,
        )


class SpeechStream:
    """The speech of one recording, in order: VAD-gated, capped at `max_seconds`, with progress and cancel.

    Two stages on two threads (ONNX Runtime releases the GIL): decode + VAD of the next pass runs while the
    consumer (the encoder) works on this one. What is yielded does not depend on the timing.
    """

    def __init__(
        self,
        analyzer: VoiceAnalyzer,
        path: str | Path,
        max_seconds: float | None,
        start_s: float,
        end_s: float | None,
        progress: Callable[[float], None] | None,
        cancel: Callable[[], bool] | threading.Event | None,
    ) -> None:
        info = probe(path)  # bad files fail here, before any thread starts
        self.analyzer = analyzer
        self.path = path
        self.start_s, self.end_s = start_s, end_s
        self.span_s = (info.duration_s if end_s is None else min(end_s, info.duration_s)) - start_s
        self.limit = None if max_seconds is None else int(max_seconds * SAMPLE_RATE)
        self.progress = progress
        self.cancel = cancel
        self.analysed_samples = 0  # audio samples (speech or not) read so far
        self.speech_samples = 0  # speech samples yielded so far

    def __iter__(self) -> Iterator[np.ndarray]:
        passes: queue.Queue[tuple[list[np.ndarray], int] | BaseException | None] = queue.Queue(maxsize=2)
        stop = threading.Event()
        producer = threading.Thread(
            target=self.analyzer._speech_passes,
            args=(self.path, self.start_s, self.end_s, passes, stop),
            name="voice-vad",
            daemon=True,
        )
        producer.start()
        try:
            while True:
                if _cancelled(self.cancel):
                    raise AnalysisCancelled(str(self.path))
                item = passes.get()
                if item is None:
                    break
                if isinstance(item, BaseException):
                    raise item
                speech_parts, pass_samples = item
                self.analysed_samples += pass_samples
                for part in speech_parts:
                    if _cancelled(self.cancel):  # between parts too: a pass holds minutes of audio
                        raise AnalysisCancelled(str(self.path))
                    if self.limit is not None:
                        part = part[: max(0, self.limit - self.speech_samples)]
                    if len(part):
                        self.speech_samples += len(part)
                        yield part
                if self.progress is not None:
                    self.progress(min(1.0, self.analysed_samples / SAMPLE_RATE / max(self.span_s, 1e-9)))
                if self.limit is not None and self.speech_samples >= self.limit:
                    break
        finally:
            stop.set()
            while producer.is_alive():  # unblock a producer waiting on a full queue
                with contextlib.suppress(queue.Empty):
                    passes.get(timeout=0.05)
            producer.join()


def _cancelled(cancel: Callable[[], bool] | threading.Event | None) -> bool:
    if cancel is None:
        return False
    return cancel.is_set() if isinstance(cancel, threading.Event) else bool(cancel())


_default: VoiceAnalyzer | None = None
_default_lock = threading.Lock()


def default_analyzer() -> VoiceAnalyzer:
    global _default
    with _default_lock:
        if _default is None:
            _default = VoiceAnalyzer()
        return _default


def analyze_file(
    path: str | Path,
    max_seconds: float | None = None,
    start_s: float = 0.0,
    end_s: float | None = None,
    progress: Callable[[float], None] | None = None,
    cancel: Callable[[], bool] | threading.Event | None = None,
) -> VoiceAnalysis:
    """Analyse one recording with the shared models (see VoiceAnalyzer.analyze)."""
    return default_analyzer().analyze(path, max_seconds, start_s, end_s, progress, cancel)
