"""`s2f soak`: hours of kiosk life at accelerated speed through the REAL live pipeline; RSS over time.

Visitors are simulated: speech (8, 20 or 40 s, cycling) then silence longer than the kiosk's timeout, so every visit
ends with the same reset the kiosk performs (pipeline/kiosk_session.py: worker.reset() + pipeline.reset()). Audio goes
through LivePipeline (STFT, spectrogram, silero VAD) and PortraitWorker (encoder, voice-to-face, decoder, morph):
  --source file (default): the visits are written as WAV files to a temporary folder and played with
      FilePlayback(speed=X) — the recording given with --file, or espeak-ng speech made on the fly;
  --ui: the real KioskWindow (offscreen when there is no display) listens instead of a bare pipeline, so Qt's
      pixmaps, the spectrogram widget and the screen changes are part of the memory measured;
  --source mic: the visits are played in real time into the PulseAudio virtual microphone (installer/virtual-mic.sh)
      with paplay and captured with LiveCapture (--speed does not apply: a microphone runs in real time).
Prints one line per interval (JSON lines with --json) and a summary; exits 1 if RSS grows more than
--max-growth-mb after the first cycle of visitors, or passes --max-rss-mb, or the portrait worker reported an error.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000
VISIT_SPEECH_S = (8.0, 20.0, 40.0)  # visitors talk this long, in turn
EXTRA_SILENCE_S = 3.0  # silence beyond the timeout at the end of each visit
NOISE_DBFS = -60.0  # a quiet room under everything
POLL_S = 0.01  # like the kiosk's display timer
MAX_POLL_S = 1.0  # at most this much audio per poll (see LoopingVisits.read_new)
MAX_PENDING_S = 30.0  # backlog beyond this is dropped and reported as audio_lost_s


def rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


@dataclass
class Sample:
    wall_s: float
    stream_h: float
    rss_mb: float
    visits: int
    resets: int
    renders: int
    estimates: int


@dataclass
class SoakResult:
    source: str
    hours_requested: float
    hours_simulated: float
    wall_s: float
    speed_requested: float
    speed_achieved: float
    rss_first_mb: float  # right after the models loaded
    rss_start_mb: float  # after the first cycle of visitors (the baseline: ONNX Runtime's arenas are warm)
    rss_peak_mb: float
    rss_end_mb: float
    growth_mb: float  # end - start
    growth_mb_per_hour: float  # least-squares slope after the baseline, per simulated hour
    visits: int
    resets: int
    portraits_rendered: int
    estimates: int
    audio_lost_s: float  # audio the loop could not keep up with (speed too high for this machine)
    worker_error: str | None
    samples: list[Sample] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("samples")
        return data


def _speech_unit(path: str | None, folder: Path) -> tuple[np.ndarray, str]:
    from s2f_desktop.audio.file_source import read_16k
    from s2f_desktop.bench.audio import espeak_speech_file, speech_like_audio

    if path:
        return read_16k(path), f"recording {Path(path).name}"
    generated = espeak_speech_file(folder)
    if generated is not None:
        speech = read_16k(generated)
        return np.concatenate([speech, np.zeros(SAMPLE_RATE // 2, dtype=np.float32)]), "espeak-ng speech"
    return speech_like_audio(10.0), "a synthetic voice-like signal (espeak-ng is not installed)"


def write_visits(folder: Path, unit: np.ndarray, silence_timeout_s: float) -> list[Path]:
    """One WAV per visit length: looped speech, then silence beyond the timeout; quiet noise throughout."""
    import soundfile as sf

    rng = np.random.default_rng(7)
    paths = []
    for seconds in VISIT_SPEECH_S:
        speech = np.resize(unit, int(seconds * SAMPLE_RATE))
        silence = np.zeros(int((silence_timeout_s + EXTRA_SILENCE_S) * SAMPLE_RATE), dtype=np.float32)
        audio = np.concatenate([speech, silence])
        audio = audio + rng.normal(0, 10 ** (NOISE_DBFS / 20), len(audio)).astype(np.float32)
        path = folder / f"visit_{int(seconds)}s.wav"
        sf.write(path, audio, SAMPLE_RATE, subtype="FLOAT")
        paths.append(path)
    return paths


class LoopingVisits:
    """The visit files played one after another, endlessly, each through FilePlayback at `speed`.

    An audio source like LiveCapture (read_new / failed / stop), so the kiosk window can listen to it too."""

    failed = False

    def __init__(self, paths: list[Path], speed: float) -> None:
        from s2f_desktop.audio.file_playback import FilePlayback

        self._factory = FilePlayback
        self.paths = paths
        self.speed = speed
        self.index = 0
        self.current: FilePlayback | None = None
        self.consumed = 0  # samples read from the current playback
        self._pending = np.zeros(0, dtype=np.float32)  # read but not yet handed out (see read_new)
        self.lost_s = 0.0  # audio released but never read (the loop fell behind the requested speed)

    def read_new(self) -> np.ndarray:
        """At most MAX_POLL_S per call, like a microphone polled by the kiosk's display timer: when the loop falls
        behind (a busy machine), one poll must not hand the pipeline tens of seconds at once — ONNX Runtime and
        the allocator keep the memory of the largest batch, which a kiosk (30 ms polls, a 4 s ring) never sees."""
        if self.current is None or (self.current.done and not len(self._pending)):
            self._next()
        assert self.current is not None
        fresh = self.current.read_new()
        self.consumed += len(fresh)
        if len(fresh):
            self._pending = np.concatenate([self._pending, fresh]) if len(self._pending) else fresh
        if len(self._pending) > MAX_PENDING_S * SAMPLE_RATE:  # hopelessly behind: drop (counted), as a ring would
            excess = len(self._pending) - int(MAX_PENDING_S * SAMPLE_RATE)
            self.lost_s += excess / SAMPLE_RATE
            self._pending = self._pending[excess:]
        limit = int(MAX_POLL_S * SAMPLE_RATE)
        audio, self._pending = self._pending[:limit], self._pending[limit:]
        return audio

    def _next(self) -> None:
        if self.current is not None:
            self.current.stop()
            self.lost_s += max(0, self.current.samples_delivered - self.consumed) / SAMPLE_RATE
        self.current = self._factory(str(self.paths[self.index % len(self.paths)]), speed=self.speed)
        self.index += 1
        self.consumed = 0
        self.current.start()

    def stop(self) -> None:
        if self.current is not None:
            self.current.stop()


def run_soak(
    hours: float,
    speed: float = 20.0,
    source: str = "file",
    file: str | None = None,
    silence_timeout_s: float = 8.0,
    interval_s: float | None = None,
    on_sample: Callable[[Sample], None] | None = None,
    ui: bool = False,
) -> SoakResult:
    """Simulate `hours` of kiosk visitors. ui=True drives the real KioskWindow (offscreen without a display)."""
    from s2f_desktop.inference.vad import SileroVad
    from s2f_desktop.pipeline.kiosk_session import KioskSession
    from s2f_desktop.pipeline.live import LivePipeline
    from s2f_desktop.pipeline.portrait_worker import PortraitWorker
    from s2f_desktop.portrait.engine import PortraitEngine
    from s2f_desktop.portrait.settings import PortraitSettings

    total_stream_s = hours * 3600.0
    real_time = source == "mic"
    effective_speed = 1.0 if real_time else speed
    if interval_s is None:
        interval_s = max(1.0, total_stream_s / effective_speed / 40)
    counts = {"renders": 0, "estimates": 0}

    def count_calls(engine: PortraitEngine) -> None:
        """Count every portrait rendered and every estimate (the worker's own counters restart each visit)."""
        render, estimate = engine.render, engine.estimate

        def counted_render(latent: np.ndarray, size: int = 256) -> tuple[np.ndarray, float]:
            counts["renders"] += 1
            return render(latent, size)

        def counted_estimate(settings: PortraitSettings):  # type: ignore[no-untyped-def]
            counts["estimates"] += 1
            return estimate(settings)

        engine.render = counted_render  # type: ignore[method-assign]
        engine.estimate = counted_estimate  # type: ignore[method-assign]

    folder = Path(tempfile.mkdtemp(prefix="s2f-soak-"))
    player: subprocess.Popen | None = None
    window = None
    try:
        unit, described = _speech_unit(file, folder)
        visits = write_visits(folder, unit, silence_timeout_s)
        if real_time:
            player, audio_source = _start_mic(visits)
            label = f"{described} played into the virtual microphone in real time, captured with LiveCapture"
        else:
            audio_source = LoopingVisits(visits, speed)
            label = f"{described} played from files with FilePlayback at {speed:g}x"
        if ui:
            window, app = _kiosk_window(audio_source, silence_timeout_s)
            pipeline, worker, session = window.pipeline, window.worker, window.session
            assert pipeline is not None and worker is not None and session is not None
            label += ", heard by the real KioskWindow (offscreen)"
        else:
            pipeline = LivePipeline(vad=SileroVad())
            worker = PortraitWorker(PortraitEngine(), PortraitSettings())
            worker.start()
            session = KioskSession(pipeline, worker, silence_timeout_s)
        count_calls(worker.engine)
        rss_first = rss_mb()
        samples: list[Sample] = []
        # (stream_h, rss) after the first cycle of visit lengths (or the first visit, in a very short run): by then
        # every buffer has met its largest size; growth is measured from there.
        baseline: tuple[float, float] | None = None
        state = {"stream_s": 0.0, "cycled": 0.0}
        started = time.monotonic()
        next_sample = started

        def take_sample(force: bool = False) -> None:
            nonlocal next_sample, baseline
            now = time.monotonic()
            resets = session.counters.resets
            if resets >= 1 and (baseline is None or (resets >= len(VISIT_SPEECH_S) and not state["cycled"])):
                baseline = (state["stream_s"] / 3600, rss_mb())
                state["cycled"] = float(resets >= len(VISIT_SPEECH_S))
            if not force and now < next_sample:
                return
            next_sample = now + interval_s
            sample = Sample(
                wall_s=round(now - started, 2),
                stream_h=round(state["stream_s"] / 3600, 4),
                rss_mb=round(rss_mb(), 1),
                visits=session.counters.visits,
                resets=session.counters.resets,
                renders=counts["renders"],
                estimates=counts["estimates"],
            )
            samples.append(sample)
            if on_sample is not None:
                on_sample(sample)

        if window is not None:
            from PySide6 import QtCore

            loop = QtCore.QEventLoop()

            def check() -> None:
                state["stream_s"] = window.stream_s
                take_sample()
                if state["stream_s"] >= total_stream_s or window.state == "unavailable":
                    loop.quit()

            timer = QtCore.QTimer()
            timer.timeout.connect(check)
            timer.start(50)
            loop.exec()
            timer.stop()
            if window.state == "unavailable":
                raise RuntimeError(f"the kiosk lost its audio source: {window.device_error}")
        else:
            while state["stream_s"] < total_stream_s:
                result = pipeline.poll(audio_source)
                state["stream_s"] += result.new_samples / SAMPLE_RATE
                session.observe(result, state["stream_s"])  # the kiosk's timeout, in audio time (as the kiosk)
                if audio_source.failed:
                    raise RuntimeError("the audio source failed")
                take_sample()
                time.sleep(POLL_S)
        worker.wait_idle(10)
        take_sample(force=True)
    finally:
        if player is not None:
            os.killpg(player.pid, signal.SIGTERM)
            player.wait(5)
        if window is not None:
            window.operator_exit()  # stops the source and the worker
        else:
            if "audio_source" in locals():
                audio_source.stop()
            if "worker" in locals():
                worker.stop()
        shutil.rmtree(folder, ignore_errors=True)
    wall = time.monotonic() - started
    rss_values = [s.rss_mb for s in samples]
    start_h, start_rss = baseline if baseline is not None else (samples[0].stream_h, samples[0].rss_mb)
    after = [s for s in samples if s.stream_h >= start_h]
    slope = 0.0
    if len(after) >= 3 and after[-1].stream_h > after[0].stream_h:
        slope = float(np.polyfit([s.stream_h for s in after], [s.rss_mb for s in after], 1)[0])
    end_rss = samples[-1].rss_mb
    return SoakResult(
        source=label,
        hours_requested=hours,
        hours_simulated=round(state["stream_s"] / 3600, 4),
        wall_s=round(wall, 1),
        speed_requested=effective_speed,
        speed_achieved=round(state["stream_s"] / wall, 2),
        rss_first_mb=round(rss_first, 1),
        rss_start_mb=round(start_rss, 1),
        rss_peak_mb=round(max(rss_values + [start_rss]), 1),
        rss_end_mb=end_rss,
        growth_mb=round(end_rss - start_rss, 1),
        growth_mb_per_hour=round(slope, 2),
        visits=session.counters.visits,
        resets=session.counters.resets,
        portraits_rendered=counts["renders"],
        estimates=counts["estimates"],
        audio_lost_s=round(getattr(audio_source, "lost_s", 0.0), 2),
        worker_error=worker.error,
        samples=samples,
    )


def _kiosk_window(audio_source, silence_timeout_s: float):  # type: ignore[no-untyped-def]
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import pyqtgraph as pg
    from PySide6 import QtWidgets

    from s2f_desktop.kiosk_config import KioskConfig
    from s2f_desktop.ui.kiosk_window import KioskWindow

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    pg.setConfigOptions(antialias=False, imageAxisOrder="row-major")
    config = KioskConfig(silence_timeout_s=silence_timeout_s, fullscreen=False, hide_cursor=False)
    window = KioskWindow(config, source_factory=lambda: audio_source)
    window.show_kiosk()
    window.resize(1920, 1080)
    return window, app


def _start_mic(visits: list[Path]):  # type: ignore[no-untyped-def]
    from s2f_desktop.audio.capture import LiveCapture

    if shutil.which("paplay") is None:
        raise RuntimeError("--source mic needs paplay and the virtual microphone (installer/virtual-mic.sh start)")
    capture = LiveCapture()
    capture.start()
    loop = "while true; do " + " ".join(f"paplay --device=vspk '{p}';" for p in visits) + " done"
    player = subprocess.Popen(["bash", "-c", loop], start_new_session=True)
    return player, capture


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hours", type=float, default=8.0, help="simulated kiosk hours (default 8)")
    parser.add_argument("--speed", type=float, default=20.0, help="playback speed for --source file (default 20)")
    parser.add_argument("--source", choices=("file", "mic"), default="file", help="file (default) or the virtual mic")
    parser.add_argument("--file", help="a recording to use as the visitors' speech (default: espeak-ng speech)")
    parser.add_argument("--silence-timeout", type=float, default=8.0, help="the kiosk's silence timeout (s)")
    parser.add_argument("--ui", action="store_true", help="drive the real kiosk window (offscreen) as well")
    parser.add_argument("--interval", type=float, help="wall seconds between RSS lines (default: about 40 lines)")
    parser.add_argument("--max-growth-mb", type=float, default=40.0, help="fail if RSS grows more than this")
    parser.add_argument("--max-rss-mb", type=float, default=600.0, help="fail if RSS ever exceeds this")
    parser.add_argument("--json", action="store_true", help="JSON lines: one per interval, then the summary")


def run(args: argparse.Namespace) -> int:
    def show(sample: Sample) -> None:
        if args.json:
            print(json.dumps(asdict(sample)), flush=True)
        else:
            print(
                f"{sample.wall_s:8.1f} s  {sample.stream_h:7.3f} h  RSS {sample.rss_mb:7.1f} MB  "
                f"visits {sample.visits:5d}  resets {sample.resets:5d}  portraits {sample.renders:7d}",
                flush=True,
            )

    if not args.json:
        print("    wall   simulated  memory          visitors      resets        rendered", flush=True)
    result = run_soak(
        args.hours, args.speed, args.source, args.file, args.silence_timeout, args.interval, on_sample=show, ui=args.ui
    )
    summary = result.summary()
    problems = []
    if result.growth_mb > args.max_growth_mb:
        problems.append(f"RSS grew {result.growth_mb:.1f} MB after the first visitors (limit {args.max_growth_mb:g} MB)")
    if result.rss_peak_mb > args.max_rss_mb:
        problems.append(f"RSS peaked at {result.rss_peak_mb:.1f} MB (limit {args.max_rss_mb:g} MB)")
    if result.worker_error:
        problems.append(result.worker_error)
    if result.resets == 0 and result.hours_simulated * 3600 > 2 * (VISIT_SPEECH_S[0] + args.silence_timeout):
        problems.append("no visit ended: the kiosk never went back to its attract state")
    summary["passed"] = not problems
    summary["problems"] = problems
    if args.json:
        print(json.dumps({"summary": summary}), flush=True)
    else:
        print("summary:")
        for key, value in summary.items():
            print(f"  {key:<20} {value}")
    return 0 if not problems else 1
