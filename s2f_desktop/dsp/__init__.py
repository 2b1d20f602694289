"""Signal processing: resampling, STFT, mel filters, loudness."""
