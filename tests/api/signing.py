"""Raw SigV4-signed requests built with botocore's signer, for tampering tests."""

from __future__ import annotations

import http.client
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def sign(
    method: str,
    endpoint_url: str,
    path: str,
    body: bytes,
    key: str,
    secret: str,
    *,
    region: str = "us-east-1",
    service: str = "chime",
    when: datetime | None = None,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, str]:
    """The headers of a request signed exactly as botocore's add_auth would, at ``when``."""
    request = AWSRequest(
        method=method, url=endpoint_url + path, data=body, headers=dict(headers or {})
    )
    moment = (when or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    request.context["timestamp"] = moment
    request.headers["X-Amz-Date"] = moment
    if token:
        request.headers["X-Amz-Security-Token"] = token
    signer = SigV4Auth(Credentials(key, secret, token), service, region)
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    signer._inject_signature_to_request(request, signature)
    signed = dict(request.headers.items())
    signed["Host"] = urlsplit(endpoint_url).netloc
    return signed


def send(
    endpoint_url: str, method: str, path: str, body: bytes, headers: dict[str, str]
) -> tuple[int, dict[str, str], Any]:
    parts = urlsplit(endpoint_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        document = json.loads(payload) if payload else None
        return response.status, {k.lower(): v for k, v in response.getheaders()}, document
    finally:
        connection.close()
