"""The Qt-free heart of the app: sources -> spectrogram, voice activity, evidence, portrait. `ui/` only watches it."""
