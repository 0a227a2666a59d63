"""The OpenAPI 3.1 document of the admin API, served at ``/_chime_local/openapi.json``.

Written by hand in ``openapi.yaml`` beside this module (a test checks it against the real
routes: every route documented, every documented route answering).
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml


@functools.cache
def _document_text() -> str:
    return resources.files("chime_local.admin").joinpath("openapi.yaml").read_text()


def openapi_document() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(_document_text())
    return document
