"""Request parsing by the input shape: URI labels, query string and JSON body into one dict.

The result maps input member names to plain JSON values, ready for the validator. An absent
body, an empty body and ``{}`` are the same. Malformed JSON, a body that is not an object, and a
query integer that is not a number are ``BadRequestException`` (decisions 4); the invalid value
is echoed cut short.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from chime_local.errors import BadRequestException
from chime_local.jsonio import loads
from chime_local.protocol.api import Operation
from chime_local.protocol.validator import bounded_echo

# A query integer as Java parses one: ASCII digits and a sign, no spaces or underscores (which
# Python's int() would accept); longer than a long's digits is invalid too.
_INTEGER = re.compile(r"[+-]?[0-9]+")
_MAX_DIGITS = 20


def parse_request(
    operation: Operation, labels: Mapping[str, str], query: Mapping[str, str], body: bytes
) -> dict[str, Any]:
    """Collect every input member the request carries, keyed by member name."""
    if operation.input_shape is None:
        return {}
    params: dict[str, Any] = dict(labels)
    if query:
        _add_query_members(operation, query, params)
    if body:
        _add_body_members(operation, body, params)
    return params


def _add_query_members(
    operation: Operation, query: Mapping[str, str], params: dict[str, Any]
) -> None:
    for spec in operation.query_members:
        raw = query.get(spec.wire_name)
        if raw is None:
            continue
        if not spec.integer:
            params[spec.member] = raw
            continue
        if _INTEGER.fullmatch(raw) and len(raw) <= _MAX_DIGITS:
            params[spec.member] = int(raw)
        else:
            raise BadRequestException(
                f"1 validation error detected: Value '{bounded_echo(raw)}' at '{spec.member}' "
                "failed to satisfy constraint: Member must be a number"
            )


def _add_body_members(operation: Operation, body: bytes, params: dict[str, Any]) -> None:
    if not body.strip():
        return
    try:
        document = loads(body)
    except ValueError as exc:
        raise BadRequestException(f"The request body is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise BadRequestException("The request body must be a JSON object")
    for member in operation.body_members:
        if member in document:
            params[member] = document[member]
