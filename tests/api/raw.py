"""Raw HTTP calls for what SDKs never send (malformed bodies, unknown operations)."""

from __future__ import annotations

import http.client
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from chime_local.protocol.http import HttpRequest

if TYPE_CHECKING:
    from chime_local import Emulator

FAKE_AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/chime/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0000"
)


def call(
    endpoint_url: str,
    method: str,
    path: str,
    body: bytes | dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    signed: bool = True,
) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(endpoint_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    all_headers = {"Authorization": FAKE_AUTH} if signed else {}
    if path.startswith("/_chime_local/"):  # as a script calls the admin API (not a web page)
        all_headers["Content-Type"] = "application/json"
    all_headers.update(headers or {})
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    try:
        connection.request(method, path, body=data, headers=all_headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def call_in_process(
    emulator: Emulator, method: str, path: str, body: dict[str, Any] | None = None
) -> tuple[int, Any]:
    """A call handed to an in-process emulator as the server would: (status, parsed body)."""
    data = json.dumps(body).encode() if body is not None else b""
    path, _, query = path.partition("?")
    response = emulator.handle(HttpRequest(method, path, query, {"authorization": FAKE_AUTH}, data))
    return response.status, json.loads(response.body or b"{}")
