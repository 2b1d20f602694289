"""Measurements for `s2f bench`: each module exposes `measure(quick: bool) -> dict`."""
