"""A still spectrogram of one stretch of a recording (what the window shows after opening or seeking)."""

from __future__ import annotations

import threading

from s2f_desktop.audio.file_source import AudioFileError, iter_blocks_16k
from s2f_desktop.inference.vad import SileroVad
from s2f_desktop.pipeline.live import LivePipeline
from s2f_desktop.pipeline.spectrogram import SpectrogramModel


def render_preview(path: str, start_s: float, vad: SileroVad, floor_db: float, ceiling_db: float) -> SpectrogramModel:
    """Spectrogram and speech marks of [start_s, start_s + history) exactly as live playback would draw them."""
    model = SpectrogramModel(floor_db=floor_db, ceiling_db=ceiling_db)
    pipeline = LivePipeline(vad=vad, spectrogram=model)
    for block in iter_blocks_16k(path, 1.0, start_s, start_s + model.history_s):
        pipeline.feed(block)
    return model


class PreviewJob:
    """Runs render_preview on a worker thread; the display timer collects `result` when `done`."""

    def __init__(self, path: str, start_s: float, vad: SileroVad, floor_db: float, ceiling_db: float) -> None:
        self.start_s = start_s
        self.result: SpectrogramModel | None = None
        self.error: str | None = None
        self._thread = threading.Thread(
            target=self._run, args=(path, start_s, vad, floor_db, ceiling_db), name="preview", daemon=True
        )
        self._thread.start()

    def _run(self, path: str, start_s: float, vad: SileroVad, floor_db: float, ceiling_db: float) -> None:
        try:
            self.result = render_preview(path, start_s, vad, floor_db, ceiling_db)
        except AudioFileError as exc:
            self.error = str(exc)

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()
