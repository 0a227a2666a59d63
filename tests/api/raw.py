"""Raw HTTP calls for what SDKs never send (malformed bodies, unknown operations)."""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlsplit

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
