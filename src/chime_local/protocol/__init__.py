"""Framework-free wire layer: request/response values and the model-driven codecs."""
