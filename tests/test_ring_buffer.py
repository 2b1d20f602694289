import numpy as np
import pytest

from s2f_desktop.audio.ring_buffer import RingBuffer, RingReader


def test_reader_gets_every_frame_once_in_order_across_wraps() -> None:
    ring = RingBuffer(capacity=100, channels=2)
    reader = RingReader(ring)
    produced = np.arange(1000, dtype=np.float32).reshape(500, 2)
    received = []
    for start in range(0, 500, 37):  # odd block size: every wrap position gets exercised
        ring.write(produced[start : start + 37])
        received.append(reader.read_new())
    assert np.array_equal(np.concatenate(received), produced)
    assert reader.frames_lost == 0


def test_latest_is_one_contiguous_slice_with_newest_last() -> None:
    ring = RingBuffer(capacity=64)
    ring.write(np.arange(150, dtype=np.float32))
    window = ring.latest(50)
    assert window.flags["C_CONTIGUOUS"]
    assert np.array_equal(window[:, 0], np.arange(100, 150, dtype=np.float32))
    assert not window.flags.writeable


def test_overrun_is_counted_not_hidden() -> None:
    ring = RingBuffer(capacity=10)
    reader = RingReader(ring)
    ring.write(np.arange(25, dtype=np.float32))  # the reader slept through 25 frames of a 10-frame ring
    block = reader.read_new()
    assert reader.frames_lost == 15
    assert np.array_equal(block[:, 0], np.arange(15, 25, dtype=np.float32))


def test_block_larger_than_capacity_keeps_newest() -> None:
    ring = RingBuffer(capacity=8)
    ring.write(np.arange(20, dtype=np.float32))
    assert ring.frames_written == 20
    assert np.array_equal(ring.latest(8)[:, 0], np.arange(12, 20, dtype=np.float32))


def test_invalid_sizes_are_refused() -> None:
    with pytest.raises(ValueError):
        RingBuffer(0)
