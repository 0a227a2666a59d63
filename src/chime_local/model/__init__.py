"""The Chime model chime-local carries: its own copy of botocore's ``chime`` 2018-05-01 data.

``data/`` holds the service model, paginators and endpoint rule set in the layout botocore's
loader reads (``data/chime/2018-05-01/service-2.json``), so the same folder serves the emulator
(:func:`chime_local.protocol.api.load_api` reads only this copy) and, as an ``AWS_DATA_PATH``
entry, the SDKs once botocore no longer ships Chime. ``provenance.json`` names the botocore
release the copy came from and the sha256 of each kept file (decision 23); ``refresh`` makes
and checks the copy, ``datapath`` hands it to SDK sessions.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

SERVICE_NAME = "chime"
API_VERSION = "2018-05-01"
PACKAGE_DIR = Path(__file__).parent
DATA_DIR = PACKAGE_DIR / "data"
MODEL_DIR = DATA_DIR / SERVICE_NAME / API_VERSION
PROVENANCE_FILE = PACKAGE_DIR / "provenance.json"
# The files botocore's loader reads for a service, as far as Chime has them (it has no waiters).
MODEL_FILES = ("service-2.json", "paginators-1.json", "endpoint-rule-set-1.json")


def load_document(name: str, directory: Path = MODEL_DIR) -> dict[str, Any]:
    """One JSON document of the packaged copy, e.g. ``load_document("service-2.json")``."""
    document: dict[str, Any] = json.loads((directory / name).read_bytes())
    return document


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_provenance() -> dict[str, Any]:
    provenance: dict[str, Any] = json.loads(PROVENANCE_FILE.read_text())
    return provenance
