"""Recordings and voice activity with the real silero model and real (generated) speech."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from s2f_desktop.audio.file_source import AudioFileError, iter_blocks_16k, probe, read_16k
from s2f_desktop.inference.vad import CHUNK, SAMPLE_RATE, SileroVad, StreamingVad
from s2f_desktop.pipeline.file_scan import Cancelled, scan_file

from .conftest import shared_voice_file


@pytest.fixture(scope="module")
def vad() -> SileroVad:
    return SileroVad()


def test_vad_marks_speech_and_not_the_silence_around_it(vad: SileroVad, speech_wav: Path) -> None:
    audio = read_16k(speech_wav)
    segments = vad.speech_segments(audio)
    assert segments, "no speech found in clear speech"
    first_start = segments[0][0] / SAMPLE_RATE
    last_end = segments[-1][1] / SAMPLE_RATE
    speech_end = len(audio) / SAMPLE_RATE - 1.5
    assert 1.2 < first_start < 1.9  # speech starts after the 1.5 s of leading silence
    assert speech_end - 0.5 < last_end < speech_end + 0.4
    probs = vad.probabilities(audio)
    silence_chunks = probs[: int(1.2 * SAMPLE_RATE / CHUNK)]
    assert silence_chunks.max() < 0.3


def test_batched_and_streaming_vad_agree(vad: SileroVad, speech_wav: Path) -> None:
    audio = read_16k(speech_wav)
    streaming = StreamingVad(vad)
    pieces = [streaming.push(audio[i : i + 700])[0] for i in range(0, len(audio), 700)]
    assert np.allclose(np.concatenate(pieces), vad.probabilities(audio), atol=1e-5)


def test_real_recording_from_the_corpus_has_speech(vad: SileroVad) -> None:
    path = shared_voice_file("commonvoice", "female")
    scan = scan_file(str(path), vad=vad)
    assert scan.speech_seconds > 1.0


@pytest.mark.parametrize(
    ("suffix", "rate", "channels"),
    [(".wav", 44100, 2), (".flac", 22050, 1), (".ogg", 48000, 2), (".mp3", 44100, 1)],
)
def test_formats_rates_and_channels_become_16k_mono(tmp_path: Path, speech_wav: Path, suffix: str, rate: int, channels: int) -> None:
    speech = read_16k(speech_wav)
    import soxr

    converted = soxr.resample(speech, 16000, rate).astype(np.float32)
    data = np.stack([converted] * channels, axis=1) if channels > 1 else converted
    path = tmp_path / f"speech{suffix}"
    sf.write(path, data, rate)
    info = probe(path)
    assert info.channels == channels and info.sample_rate == rate
    back = read_16k(path)
    assert abs(len(back) - len(speech)) < 0.06 * SAMPLE_RATE  # mp3 adds encoder padding
    assert SileroVad().speech_segments(back)


def test_blocks_cover_a_time_range_without_loading_everything(speech_wav: Path) -> None:
    blocks = list(iter_blocks_16k(speech_wav, block_seconds=0.5, start_s=1.0, end_s=3.0))
    assert all(len(b) <= 0.52 * SAMPLE_RATE for b in blocks)  # the resampler holds back a few ms
    assert abs(sum(len(b) for b in blocks) - 2.0 * SAMPLE_RATE) < 64


def test_unreadable_zero_length_and_missing_files_give_clear_errors(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt garbage" + bytes(100))
    with pytest.raises(AudioFileError, match="corrupt or in an unsupported format"):
        probe(corrupt)
    empty = tmp_path / "empty.wav"
    sf.write(empty, np.zeros(0, dtype=np.float32), 16000)
    with pytest.raises(AudioFileError, match="no audio"):
        probe(empty)
    with pytest.raises(AudioFileError, match="does not exist"):
        probe(tmp_path / "nothing.wav")
    text = tmp_path / "notes.mp3"
    text.write_text("this is not audio")
    with pytest.raises(AudioFileError):
        read_16k(text)


def test_silence_and_clipping_are_reported(tmp_path: Path, vad: SileroVad) -> None:
    silent = tmp_path / "silence.wav"
    sf.write(silent, np.zeros(16000 * 3, dtype=np.float32), 16000)
    assert scan_file(str(silent), vad=vad).speech_seconds == 0
    loud = tmp_path / "loud.wav"
    t = np.arange(16000) / 16000
    sf.write(loud, np.clip(3 * np.sin(2 * np.pi * 200 * t), -1, 1).astype(np.float32), 16000)
    assert scan_file(str(loud), vad=vad).clipped_samples > 1000


def test_scan_reports_progress_and_can_be_cancelled(tmp_path: Path, speech_wav: Path, vad: SileroVad) -> None:
    import threading

    long_file = tmp_path / "long.flac"
    speech = read_16k(speech_wav)
    sf.write(long_file, np.tile(speech, 40), 16000)  # ~6 minutes
    seen: list[float] = []
    scan = scan_file(str(long_file), vad=vad, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 2
    assert scan.speech_seconds > 40 * (len(speech) / SAMPLE_RATE - 3.5)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        scan_file(str(long_file), vad=vad, cancel=cancel)


def test_loading_models_writes_nothing_in_home(tmp_path: Path) -> None:
    """ONNX Runtime's telemetry id file would be a trace on disk (and a way off the machine): it stays off."""
    import subprocess
    import sys

    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in __import__("os").environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env["HOME"] = str(home)
    code = "from s2f_desktop.inference.vad import SileroVad; SileroVad()"
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    assert list(home.rglob("*")) == []
