import numpy as np

from s2f_desktop.dsp.level import measure_level
from s2f_desktop.dsp.resample import StreamResampler, resample, to_mono
from s2f_desktop.dsp.stft import HOP, N_FFT, LogFrequencyAxis, StreamingStft, hann, stft_db


def _dominant_frequency(signal: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(len(signal))))
    return float(np.argmax(spectrum) * rate / len(signal))


def test_resample_keeps_frequency_and_duration() -> None:
    rate = 44100
    t = np.arange(rate * 2) / rate
    tone = np.sin(2 * np.pi * 440.0 * t).astype(np.float32)
    out = resample(tone, rate)
    assert abs(len(out) - 32000) <= 2
    assert abs(_dominant_frequency(out, 16000) - 440.0) < 2.0


def test_streaming_resampler_matches_whole_signal_and_downmixes() -> None:
    rate = 48000
    rng = np.random.default_rng(0)
    stereo = rng.standard_normal((rate, 2)).astype(np.float32) * 0.1
    stream = StreamResampler(rate)
    pieces = [stream.process(stereo[i : i + 480]) for i in range(0, rate, 480)] + [stream.flush()]
    streamed = np.concatenate(pieces)
    whole = resample(stereo, rate)
    assert abs(len(streamed) - len(whole)) <= 2
    n = min(len(streamed), len(whole)) - 100
    assert np.max(np.abs(streamed[100:n] - whole[100:n])) < 1e-3
    assert np.allclose(to_mono(stereo), stereo.mean(axis=1))


def test_stft_matches_a_direct_dft_reference() -> None:
    rng = np.random.default_rng(1)
    signal = rng.standard_normal(4000).astype(np.float32)
    columns = stft_db(signal)
    assert columns.shape == (1 + (4000 - N_FFT) // HOP, N_FFT // 2 + 1)
    # Reference: the DFT written out as a matrix product, frame 7.
    frame = signal[7 * HOP : 7 * HOP + N_FFT] * hann(N_FFT)
    k = np.arange(N_FFT // 2 + 1)[:, None]
    n = np.arange(N_FFT)[None, :]
    dft = (np.exp(-2j * np.pi * k * n / N_FFT) @ frame.astype(np.float64))
    reference = 10 * np.log10(np.abs(dft) ** 2 * 4.0 / hann(N_FFT).sum() ** 2)
    assert np.allclose(columns[7], reference, atol=1e-3)


def test_full_scale_sine_reads_zero_db_at_its_bin() -> None:
    t = np.arange(16000) / 16000
    bin_frequency = 40 * 16000 / N_FFT  # exactly on bin 40: no scalloping
    tone = np.sin(2 * np.pi * bin_frequency * t).astype(np.float32)
    columns = stft_db(tone)
    assert np.argmax(columns[10]) == 40
    assert abs(columns[10, 40]) < 0.1


def test_streaming_stft_equals_whole_signal() -> None:
    rng = np.random.default_rng(2)
    signal = rng.standard_normal(10000).astype(np.float32)
    stream = StreamingStft()
    streamed = np.concatenate([stream.push(signal[i : i + 333]) for i in range(0, len(signal), 333)])
    assert np.allclose(streamed, stft_db(signal), atol=1e-4)


def test_log_axis_rows_rise_with_frequency() -> None:
    axis = LogFrequencyAxis(rows=100, f_min=60, f_max=8000)
    assert axis.frequencies[0] == 60 and abs(axis.frequencies[-1] - 8000) < 1e-6
    assert abs(axis.row_of(8000) - 99) < 1e-6
    t = np.arange(16000) / 16000
    tone = np.sin(2 * np.pi * 1000 * t).astype(np.float32)
    rows = axis.apply(stft_db(tone))
    assert abs(np.argmax(rows[10]) - axis.row_of(1000)) <= 1.5


def test_level_meter_reads_peak_and_clipping() -> None:
    quiet = np.full(100, 0.1, dtype=np.float32)
    level = measure_level(quiet)
    assert abs(level.peak_db + 20) < 0.01 and level.clipped_samples == 0
    clipped = np.clip(np.linspace(-2, 2, 100, dtype=np.float32), -1, 1)
    assert measure_level(clipped).clipped_samples > 0


def test_cli_help_and_devices_run() -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "s2f_desktop.cli.main", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "analyze" in result.stdout and "bench" in result.stdout
    result = subprocess.run([sys.executable, "-m", "s2f_desktop.cli.main", "devices"], capture_output=True, text=True)
    assert result.returncode in (0, 1) and ("No audio input device found" in result.stdout or "Hz)" in result.stdout)
