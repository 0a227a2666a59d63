"""Server-side validation of every constraint in the model.

botocore checks only required members, types and minimums on the client, and the JavaScript SDK
checks nothing, so the server enforces all of it: required, JSON type, min/max length or value,
pattern, enum and list sizes, at any depth. Every violation is collected and reported in one
``BadRequestException`` in the AWS wording (decisions 4)::

    1 validation error detected: Value 'x' at 'Name' failed to satisfy constraint: Member must
    have length less than or equal to 100

Patterns match the whole value, as the Java regular expressions of the AWS front end do.
Values of sensitive shapes are never echoed. Compiled rules are cached per shape name.
"""

from __future__ import annotations

import json
import re
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from chime_local.errors import BadRequestException

_REDACTED = "*** Sensitive Data Redacted ***"
_STRING_TYPES = frozenset({"string", "blob"})
_INTEGER_TYPES = frozenset({"integer", "long"})


class Validator:
    """Validates parsed input against its shape; holds compiled patterns."""

    def __init__(self) -> None:
        self._patterns: dict[str, re.Pattern[str]] = {}

    def validate(self, shape: StructureShape | None, params: dict[str, Any]) -> None:
        if shape is None:
            return
        problems: list[str] = []
        self._structure(shape, params, "", problems)
        if problems:
            count = len(problems)
            noun = "error" if count == 1 else "errors"
            raise BadRequestException(f"{count} validation {noun} detected: " + "; ".join(problems))

    def _structure(
        self, shape: StructureShape, value: dict[str, Any], path: str, problems: list[str]
    ) -> None:
        for member in shape.required_members:
            if value.get(member) is None:
                problems.append(
                    f"Value null at '{path}{member}' failed to satisfy constraint: "
                    "Member must not be null"
                )
        for member, member_value in value.items():
            if member_value is None or member not in shape.members:
                continue
            self._value(shape.members[member], member_value, f"{path}{member}", problems)

    def _value(self, shape: Shape, value: Any, path: str, problems: list[str]) -> None:
        kind = shape.type_name
        if not _has_type(kind, value):
            problems.append(
                f"Value {_show(shape, value)} at '{path}' failed to satisfy constraint: "
                f"Member must be of type {_json_type_name(kind)}"
            )
            return
        if isinstance(shape, StructureShape):
            self._structure(shape, value, path + ".", problems)
            return
        self._constraints(shape, value, path, problems)
        if isinstance(shape, ListShape):
            for index, item in enumerate(value, start=1):
                if item is None:
                    continue
                self._value(shape.member, item, f"{path}.{index}.member", problems)
        elif isinstance(shape, MapShape):
            for key, item in value.items():
                self._value(shape.value, item, f"{path}.{key}", problems)

    def _constraints(self, shape: Shape, value: Any, path: str, problems: list[str]) -> None:
        meta = shape.metadata
        kind = shape.type_name
        if kind in ("boolean", "timestamp"):
            return
        measured = "value" if kind in _INTEGER_TYPES or kind in ("float", "double") else "length"
        size = value if measured == "value" else len(value)

        def fail(constraint: str) -> None:
            problems.append(
                f"Value {_show(shape, value)} at '{path}' failed to satisfy constraint: "
                f"Member must {constraint}"
            )

        if "min" in meta and size < meta["min"]:
            fail(f"have {measured} greater than or equal to {meta['min']}")
        if "max" in meta and size > meta["max"]:
            fail(f"have {measured} less than or equal to {meta['max']}")
        if kind in _STRING_TYPES:
            if "enum" in meta and value not in meta["enum"]:
                fail(f"satisfy enum value set: [{', '.join(meta['enum'])}]")
            pattern = meta.get("pattern")
            if pattern is not None and not self._compiled(pattern).fullmatch(value):
                fail(f"satisfy regular expression pattern: {pattern}")

    def _compiled(self, pattern: str) -> re.Pattern[str]:
        compiled = self._patterns.get(pattern)
        if compiled is None:
            compiled = self._patterns[pattern] = re.compile(pattern)
        return compiled


def _has_type(kind: str, value: Any) -> bool:
    if kind in _STRING_TYPES:
        return isinstance(value, str)
    if kind in _INTEGER_TYPES:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in ("float", "double"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list)
    if kind in ("structure", "map"):
        return isinstance(value, dict)
    if kind == "timestamp":
        return isinstance(value, str | int | float) and not isinstance(value, bool)
    return True


def _json_type_name(kind: str) -> str:
    return {"structure": "object", "map": "object", "list": "list", "long": "integer"}.get(
        kind, kind
    )


def _show(shape: Shape, value: Any) -> str:
    if shape.metadata.get("sensitive"):
        return f"'{_REDACTED}'"
    if isinstance(value, str):
        return f"'{value}'"
    return json.dumps(value)
