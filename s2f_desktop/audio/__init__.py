"""Audio in: devices, files, and the ring buffer between the audio thread and everything else."""
