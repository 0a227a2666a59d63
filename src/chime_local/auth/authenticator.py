"""Turns a request's SigV4 ``Authorization`` header into a :class:`Caller` (decisions 7-9).

Default mode (no credentials configured): any access key is accepted and the signature is not
checked; a key of exactly 12 digits is its own AWS account, every other key maps to the default
tenant ``123456789012``. A request without a SigV4 ``Authorization`` header is
``UnauthorizedClientException`` (401) in every mode.
"""

from __future__ import annotations

from dataclasses import dataclass

from chime_local.errors import UnauthorizedClientException
from chime_local.protocol.http import HttpRequest
from chime_local.service.context import Caller

ALGORITHM = "AWS4-HMAC-SHA256"


@dataclass(frozen=True, slots=True)
class SignatureHeader:
    """The parts of ``Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., ...``."""

    access_key: str
    date: str
    region: str
    service: str
    terminator: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(value: str | None) -> SignatureHeader:
    if not value:
        raise UnauthorizedClientException(
            "Missing Authentication Token: the request has no Authorization header"
        )
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise UnauthorizedClientException(
            f"Unsupported authorization type '{algorithm}': only {ALGORITHM} is accepted"
        )
    parts: dict[str, str] = {}
    for item in rest.split(","):
        key, _, part = item.strip().partition("=")
        parts[key] = part
    missing = [k for k in ("Credential", "SignedHeaders", "Signature") if not parts.get(k)]
    if missing:
        raise UnauthorizedClientException(
            f"Authorization header requires {', '.join(missing)}: {value[:200]}"
        )
    scope = parts["Credential"].split("/")
    if len(scope) != 5 or not scope[0]:
        raise UnauthorizedClientException(
            "Authorization header Credential must be "
            "<AccessKeyId>/<date>/<region>/<service>/aws4_request"
        )
    return SignatureHeader(
        access_key=scope[0],
        date=scope[1],
        region=scope[2],
        service=scope[3],
        terminator=scope[4],
        signed_headers=tuple(parts["SignedHeaders"].split(";")),
        signature=parts["Signature"],
    )


class Authenticator:
    """Maps requests to callers; strict verification plugs in here (see ``auth.strict``)."""

    def __init__(self, default_tenant: str) -> None:
        self._default_tenant = default_tenant

    def authenticate(self, request: HttpRequest) -> Caller:
        header = parse_authorization(request.headers.get("authorization"))
        key = header.access_key
        tenant = key if len(key) == 12 and key.isdigit() else self._default_tenant
        return Caller(access_key=key, tenant=tenant)
