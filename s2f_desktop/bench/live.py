"""The live portrait: time from speech onset to the first portrait, update and render rates, memory after listening.

The real LivePipeline + PortraitWorker, fed by FilePlayback (a recording released at the pace of the wall clock):
  - first_portrait_s, updates_per_s, renders_per_s: played at 1x (real time, as from a microphone);
    first_portrait_s = the worker's first portrait - the moment the first speech sample was released
    (the VAD's onset, in stream time, mapped to the wall clock), median over the trials;
    updates_per_s / renders_per_s: estimates / portraits rendered after the first portrait, per second of the time
    the VAD marked as speech (the pauses between sentences, when nothing new arrives, do not count);
  - rss_mb: the process's RSS after 10 minutes (quick: 1) of simulated kiosk visitors played at 20x
    (s2f soak's engine, visitors reset as in the kiosk).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000
LEAD_SILENCE_S = 1.0
ACCELERATED_SPEED = 20.0


def _bench_file(folder: Path, speech_s: float) -> tuple[Path, str]:
    import soundfile as sf

    from s2f_desktop.audio.file_source import read_16k
    from s2f_desktop.bench.audio import espeak_speech_file, speech_like_audio

    generated = espeak_speech_file(folder)
    if generated is not None:
        speech, described = read_16k(generated), "espeak-ng speech"
    else:
        speech, described = speech_like_audio(speech_s), "a synthetic voice-like signal"
    audio = np.concatenate([np.zeros(int(LEAD_SILENCE_S * SAMPLE_RATE), np.float32), np.resize(speech, int(speech_s * SAMPLE_RATE))])
    path = folder / "live_bench.wav"
    sf.write(path, audio, SAMPLE_RATE, subtype="FLOAT")
    return path, described


def measure(quick: bool = False) -> dict[str, object]:
    from s2f_desktop.audio.file_playback import FilePlayback
    from s2f_desktop.cli.soak import run_soak
    from s2f_desktop.inference.vad import SileroVad
    from s2f_desktop.pipeline.live import LivePipeline
    from s2f_desktop.pipeline.portrait_worker import PortraitWorker
    from s2f_desktop.portrait.engine import PortraitEngine
    from s2f_desktop.portrait.settings import PortraitSettings

    # Memory first, in a process that holds nothing else of this module's (the timing trials load their own models).
    soak = run_soak(hours=(1 if quick else 10) / 60, speed=ACCELERATED_SPEED)
    trials = 1 if quick else 3
    speech_s = 6.0 if quick else 10.0
    first_portrait: list[float] = []
    update_rates: list[float] = []
    render_rates: list[float] = []
    pipeline = LivePipeline(vad=SileroVad())
    worker = PortraitWorker(PortraitEngine(), PortraitSettings())
    worker.start()
    pipeline.on_speech = worker.submit_speech
    try:
        with tempfile.TemporaryDirectory() as folder:
            path, described = _bench_file(Path(folder), speech_s)
            for _ in range(trials):
                pipeline.reset()
                worker.reset()
                worker.wait_idle(10)
                playback = FilePlayback(str(path), speed=1.0)
                began = time.monotonic()
                playback.start()
                at_first: tuple[float, int, int] | None = None
                speaking_s = 0.0  # wall time, after the first portrait, during which the VAD said "speech"
                last = time.monotonic()
                while not playback.done:
                    result = pipeline.poll(playback)
                    now = time.monotonic()
                    snapshot = worker.snapshot
                    if at_first is None and snapshot.first_portrait_time is not None:
                        at_first = (snapshot.first_portrait_time, snapshot.estimates, snapshot.renders)
                    elif at_first is not None and result.speaking:
                        speaking_s += now - last
                    last = now
                    time.sleep(0.01)
                playback.stop()
                snapshot = worker.snapshot
                onsets = pipeline.stats.speech_onsets
                if at_first is None or not onsets:
                    continue
                first_portrait.append(at_first[0] - (began + onsets[0]))
                span = speaking_s
                if span > 1.0:
                    update_rates.append((snapshot.estimates - at_first[1]) / span)
                    render_rates.append((snapshot.renders - at_first[2]) / span)
    finally:
        worker.stop()
    figures: dict[str, object] = {
        "live_source": (
            f"{described} from a file through FilePlayback: 1x (real time) for first_portrait_s, updates_per_s and "
            f"renders_per_s; {ACCELERATED_SPEED:g}x (achieved {soak.speed_achieved:g}x) for rss_mb, "
            f"{soak.hours_simulated * 60:.1f} min of simulated visitors"
        ),
        "rss_mb": soak.rss_end_mb,
        "live_rss_peak_mb": soak.rss_peak_mb,
        "live_visits": soak.visits,
    }
    if first_portrait:
        figures["first_portrait_s"] = float(np.median(first_portrait))
    if update_rates:
        figures["updates_per_s"] = float(np.median(update_rates))
        figures["renders_per_s"] = float(np.median(render_rates))
    return figures
