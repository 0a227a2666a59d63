"""Opaque, tamper-evident pagination tokens over keyset positions (decisions 6).

A token carries the ``seq`` of the last item returned and is bound to the operation and its
filters, signed with a per-store secret, so it survives restarts, is stable under concurrent
inserts, and a forged or foreign token is ``BadRequestException``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from chime_local.errors import BadRequestException
from chime_local.jsonio import dumps, dumps_text, loads

_SIGNATURE_BYTES = 12


class TokenCodec:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def encode(self, scope: str, last_seq: int) -> str:
        payload = dumps([scope, last_seq])
        signature = self._sign(payload)
        return base64.urlsafe_b64encode(payload + signature).decode().rstrip("=")

    def decode(self, scope: str, token: str | None) -> int:
        """The keyset position a token stands for; 0 (from the start) when there is none."""
        if token is None:
            return 0
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            payload, signature = raw[:-_SIGNATURE_BYTES], raw[-_SIGNATURE_BYTES:]
            if not hmac.compare_digest(signature, self._sign(payload)):
                raise ValueError("signature")
            token_scope, last_seq = loads(payload)
            if token_scope != scope or not isinstance(last_seq, int):
                raise ValueError("scope")
        except (ValueError, TypeError):
            raise BadRequestException(
                "Invalid NextToken: it was not issued for this request"
            ) from None
        return last_seq

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def page_scope(operation: str, *filters: object) -> str:
    """The scope a token is bound to: the operation and the values of its filters."""
    return dumps_text([operation, *filters])


def paged(
    tokens: TokenCodec, scope: str, key: str, items: list[Any], last_seq: int | None
) -> dict[str, Any]:
    """A list response: the items under ``key``, and ``NextToken`` only when more exist."""
    result: dict[str, Any] = {key: items}
    if last_seq is not None:
        result["NextToken"] = tokens.encode(scope, last_seq)
    return result


def page_rows(
    tokens: TokenCodec,
    scope: str,
    key: str,
    rows: list[tuple[int, Any]],
    token: str | None,
    limit: int,
) -> dict[str, Any]:
    """Page over rows already in memory, ordered by their position (small collections)."""
    after = tokens.decode(scope, token)
    remaining = [(seq, doc) for seq, doc in rows if seq > after]
    page = remaining[:limit]
    last = page[-1][0] if len(remaining) > limit else None
    return paged(tokens, scope, key, [doc for _, doc in page], last)
