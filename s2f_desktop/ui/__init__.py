"""Qt widgets: they display the pipeline's state and forward user intent; they never compute."""
