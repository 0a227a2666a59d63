"""Parsing of the SigV4 ``Authorization`` header; a missing or malformed one is 401."""

from __future__ import annotations

import re
from typing import NamedTuple

from chime_local.errors import UnauthorizedClientException

ALGORITHM = "AWS4-HMAC-SHA256"
# The form every SDK writes, read in one match; anything else goes through the general parser,
# which accepts any order and spacing of the parts and explains what is wrong.
_CANONICAL_FORM = re.compile(
    r"AWS4-HMAC-SHA256 Credential=([^/,\s]+)/([^/,\s]*)/([^/,\s]*)/([^/,\s]*)/([^/,\s]*),\s*"
    r"SignedHeaders=([^,\s]+),\s*Signature=([^,\s]+)"
)


class SignatureHeader(NamedTuple):
    """The parts of ``Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., ...``
    (a named tuple: one is built per request)."""

    access_key: str
    date: str
    region: str
    service: str
    terminator: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(value: str | None) -> SignatureHeader:
    match = _CANONICAL_FORM.fullmatch(value) if value else None
    if match is None:
        return _parse_any_form(value)
    key, date, region, service, terminator, signed, signature = match.groups()
    return SignatureHeader(
        key, date, region, service, terminator, tuple(signed.split(";")), signature
    )


def _parse_any_form(value: str | None) -> SignatureHeader:
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
