"""s2f-desktop: listen to a voice and paint an honest statistical portrait of the speaker, offline."""

__version__ = "0.1.0"
