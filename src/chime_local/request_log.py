"""The recent-calls log behind ``GET /_chime_local/requests``: what a test's code called.

Recording keeps references only (it is on every request's path); sensitive members, as the model
marks them, are masked when the log is read.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime
from typing import Any, NamedTuple

from botocore.model import ListShape, Shape, StructureShape

from chime_local.clock import wire_time
from chime_local.jsonio import loads
from chime_local.protocol.api import Operation

MASK = "***"


class Call(NamedTuple):
    time: datetime
    access_key: str
    operation: Operation | None
    params: dict[str, Any]
    status: int
    error: str | None
    request_id: str  # as in the response's x-amzn-RequestId header and the log line
    response: bytes = b""  # the response body, decoded (and masked) only when the log is read


class RequestLog:
    def __init__(self, size: int = 1000) -> None:
        self._calls: deque[Call] = deque(maxlen=size)

    def record(self, call: Call) -> None:
        self._calls.append(call)

    def clear(self) -> None:
        self._calls.clear()

    def recent(self, limit: int) -> list[dict[str, Any]]:
        calls = list(self._calls)[-limit:] if limit else []
        return [_describe(call) for call in reversed(calls)]


def _describe(call: Call) -> dict[str, Any]:
    operation = call.operation
    shape = operation.input_shape if operation else None
    return {
        "Time": wire_time(call.time),
        "AccessKeyId": call.access_key,
        "Operation": operation.name if operation else None,
        "Parameters": _mask(shape, call.params) if shape else {},
        "Status": call.status,
        "ErrorCode": call.error,
        "RequestId": call.request_id,
        "Response": _response(call),
    }


def _response(call: Call) -> Any:
    """The response body as a document, sensitive members masked as in the request."""
    if not call.response:
        return None
    try:
        document = loads(call.response)
    except ValueError:
        return None
    if call.operation is None or call.error is not None:
        return document
    shape = call.operation.output_shape
    return _mask(shape, document) if shape else document


def _mask(shape: Shape, value: Any) -> Any:
    if shape.metadata.get("sensitive"):
        return MASK
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        return {
            k: _mask(shape.members[k], v) if k in shape.members else v for k, v in value.items()
        }
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [_mask(shape.member, item) for item in value]
    return value
