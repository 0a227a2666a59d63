"""Response serialization by the output shape, and the one place errors become wire responses.

Success: the modeled status; a 204 never has a body (``PutRetentionSettings`` is modeled with
output members *and* 204, and a body there would corrupt kept-alive connections); an empty output
shape is ``{}``. Only modeled members are written, ``None`` is dropped, timestamps are ISO 8601 UTC
with milliseconds. Errors: the shape's status, ``x-amzn-ErrorType: <Shape>`` and
``{"Code": <ErrorCode>, "Message": ...}`` (decisions 3). Every response carries
``x-amzn-RequestId`` and ``Content-Type: application/json``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from chime_local.clock import wire_time
from chime_local.errors import ChimeError
from chime_local.jsonio import dumps
from chime_local.protocol.api import Operation
from chime_local.protocol.http import HttpResponse

_Shaper = Callable[[Any], Any]
_JSON = "application/json"


def _identity(value: Any) -> Any:
    return value


def _timestamp(value: Any) -> Any:
    return wire_time(value) if isinstance(value, datetime) else value


class Serializer:
    """Writes handler results as wire responses; compiles one shaper per output shape."""

    def __init__(self) -> None:
        self._shapers: dict[str, _Shaper] = {}

    def success(
        self, operation: Operation, result: Mapping[str, Any] | None, request_id: str
    ) -> HttpResponse:
        headers = {"content-type": _JSON, "x-amzn-requestid": request_id}
        if operation.status == 204:
            return HttpResponse(204, headers)
        return HttpResponse(operation.status, headers, _dumps(self.document(operation, result)))

    def document(self, operation: Operation, result: Mapping[str, Any] | None) -> dict[str, Any]:
        """The result as the operation's output shape has it: modeled members, wire values."""
        shape = operation.output_shape
        return self._shaper(shape)(result or {}) if shape is not None else {}

    def _shaper(self, shape: Shape) -> _Shaper:
        shaper = self._shapers.get(shape.name)
        if shaper is None:
            shaper = self._shapers[shape.name] = self._compile(shape)
        return shaper

    def _compile(self, shape: Shape) -> _Shaper:
        if isinstance(shape, StructureShape):
            return _structure({name: self._member_shaper(s) for name, s in shape.members.items()})
        if isinstance(shape, ListShape):
            item_shaper = self._member_shaper(shape.member)
            if item_shaper is _identity:
                return list
            return lambda value: [item_shaper(item) for item in value]
        if isinstance(shape, MapShape):
            value_shaper = self._member_shaper(shape.value)
            return lambda value: {k: value_shaper(v) for k, v in value.items()}
        if shape.type_name == "timestamp":
            return _timestamp
        return _identity

    def _member_shaper(self, shape: Shape) -> _Shaper:
        if shape.type_name not in ("structure", "list", "map"):
            return self._compile(shape)
        # Resolved on first use: shapes may nest, and compiling lazily keeps start-up cheap.
        resolved: list[_Shaper] = []

        def nested(value: Any) -> Any:
            if not resolved:
                resolved.append(self._shaper(shape))
            return resolved[0](value)

        return nested


def _structure(members: dict[str, _Shaper]) -> _Shaper:
    """Keeps the modeled members that have a value, each shaped by its member's shaper."""

    def structure(value: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, item in value.items():
            if item is None:
                continue
            shaper = members.get(name)
            if shaper is _identity:
                out[name] = item
            elif shaper is not None:
                out[name] = shaper(item)
        return out

    return structure


def error_response(error: ChimeError, request_id: str) -> HttpResponse:
    headers = {
        "content-type": _JSON,
        "x-amzn-requestid": request_id,
        "x-amzn-errortype": error.shape,
    }
    body = _dumps({"Code": error.code, "Message": error.message})
    return HttpResponse(error.status, headers, body)


def json_response(status: int, document: Any, request_id: str) -> HttpResponse:
    """A plain JSON response (admin API)."""
    headers = {"content-type": _JSON, "x-amzn-requestid": request_id}
    return HttpResponse(status, headers, _dumps(document))


def _dumps(document: Any) -> bytes:
    return dumps(document)
