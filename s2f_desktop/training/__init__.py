"""Build, export and evaluate the shipped models (needs the `training` extra; never imported by the app)."""
