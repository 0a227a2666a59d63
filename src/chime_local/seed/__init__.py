"""Seed documents: the whole state as one YAML or JSON document, validated before loading.

``seed.schema.json`` (JSON Schema) defines the format; ``chime-local export`` writes it and
importing an export recreates the state exactly.
"""

from chime_local.seed.exporter import export_state
from chime_local.seed.loader import SeedResult, load_seed
from chime_local.seed.validation import SeedError, read_document, validate_seed

__all__ = ["SeedError", "SeedResult", "export_state", "load_seed", "read_document", "validate_seed"]
