"""Plain HTTP request and response values shared by every adapter (ASGI and in-process).

They hold bytes and strings only, so the codecs can be tested without a server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(slots=True)
class HttpRequest:
    """One request as received: ``path`` still percent-encoded, ``headers`` keys lowercase."""

    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(slots=True)
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes = b""
