"""ONNX Runtime sessions and thin wrappers around each shipped model."""
