"""Request parsing by the input shape: URI labels, query string and JSON body into one dict.

The result maps input member names to plain JSON values, ready for the validator. An absent
body, an empty body and ``{}`` are the same. Malformed JSON, a body that is not an object, and a
query integer that is not a number are ``BadRequestException`` (decisions 4).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.model import StructureShape

from chime_local.errors import BadRequestException
from chime_local.jsonio import loads
from chime_local.protocol.api import Operation

_INTEGER_TYPES = frozenset({"integer", "long"})


def parse_request(
    operation: Operation, labels: Mapping[str, str], query: Mapping[str, str], body: bytes
) -> dict[str, Any]:
    """Collect every input member the request carries, keyed by member name."""
    shape = operation.input_shape
    if shape is None:
        return {}
    params: dict[str, Any] = dict(labels)
    if query:
        params.update(_query_members(shape, query))
    if body_members := _body_members(shape, body):
        params.update(body_members)
    return params


def _query_members(shape: StructureShape, query: Mapping[str, str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for member, member_shape in shape.members.items():
        serialization = member_shape.serialization
        if serialization.get("location") != "querystring":
            continue
        raw = query.get(serialization.get("name", member))
        if raw is None:
            continue
        if member_shape.type_name in _INTEGER_TYPES:
            try:
                found[member] = int(raw)
            except ValueError:
                raise BadRequestException(
                    f"1 validation error detected: Value '{raw}' at '{member}' failed to "
                    "satisfy constraint: Member must be a number"
                ) from None
        else:
            found[member] = raw
    return found


def _body_members(shape: StructureShape, body: bytes) -> dict[str, Any]:
    if not body or not body.strip():
        return {}
    try:
        document = loads(body)
    except ValueError as exc:
        raise BadRequestException(f"The request body is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise BadRequestException("The request body must be a JSON object")
    return {
        member: document[member]
        for member, member_shape in shape.members.items()
        if member in document and "location" not in member_shape.serialization
    }
