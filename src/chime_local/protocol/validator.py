"""Server-side validation of every constraint in the model.

botocore checks only required members, types and minimums on the client, and the JavaScript SDK
checks nothing, so the server enforces all of it: required, JSON type, min/max length or value,
pattern, enum and list sizes, at any depth. Every violation is collected and reported in one
``BadRequestException`` in the AWS wording (decisions 4)::

    1 validation error detected: Value 'x' at 'Name' failed to satisfy constraint: Member must
    have length less than or equal to 100

Patterns match the whole value, as the Java regular expressions of the AWS front end do, in
linear time (:mod:`chime_local.protocol.java_pattern`). Values of sensitive shapes are never
echoed, and long values are echoed cut short, with their length.

A JSON ``null`` is what the AWS JSON protocols make of it: a structure member that is ``null`` is
absent (a required one fails "Member must not be null") and is removed from the parameters, so
handlers never see ``None``; a ``null`` list item or map value is rejected, as the model's lists
and maps are not sparse. Each shape is compiled once, on first use, into a
check that tests only the constraints the shape has; a valid request costs a few type tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from chime_local.errors import BadRequestException
from chime_local.protocol.java_pattern import JavaPattern

# A compiled check: (value, path of the value, problems found so far) -> appends to problems.
Check = Callable[[Any, str, list[str]], None]

_REDACTED = "*** Sensitive Data Redacted ***"
_ECHO_LIMIT = 256  # characters of an invalid value repeated in an error message
_STRING_TYPES = frozenset({"string", "blob"})
_INTEGER_TYPES = frozenset({"integer", "long"})
_NUMBER_TYPES = _INTEGER_TYPES | {"float", "double"}
_CONTAINER_TYPES = frozenset({"structure", "list", "map"})


class Validator:
    """Validates parsed input against its shape; holds the compiled checks per shape name."""

    def __init__(self) -> None:
        self._values: dict[str, Check] = {}
        self._structures: dict[str, Check] = {}

    def validate(self, shape: StructureShape | None, params: dict[str, Any]) -> None:
        """Raise one ``BadRequestException`` naming every violation; drops ``null`` members."""
        if shape is None:
            return
        problems: list[str] = []
        self._structure_check(shape)(params, "", problems)
        if problems:
            count = len(problems)
            noun = "error" if count == 1 else "errors"
            raise BadRequestException(f"{count} validation {noun} detected: " + "; ".join(problems))

    def _structure_check(self, shape: StructureShape) -> Check:
        """Checks a structure's members; ``path`` is the prefix of their names."""
        check = self._structures.get(shape.name)
        if check is None:
            check = self._structures[shape.name] = self._compile_structure(shape)
        return check

    def _value_check(self, shape: Shape) -> Check:
        """Checks one value of the shape: its JSON type, then its constraints and contents."""
        check = self._values.get(shape.name)
        if check is None:
            check = self._values[shape.name] = self._compile_value(shape)
        return check

    def _member_check(self, shape: Shape) -> Check:
        if shape.type_name in _CONTAINER_TYPES:
            # Resolved at first use: shapes may nest, even recursively.
            return lambda value, path, problems: self._value_check(shape)(value, path, problems)
        return self._value_check(shape)

    def _compile_structure(self, shape: StructureShape) -> Check:
        required = tuple(shape.required_members)
        members = {name: self._member_check(member) for name, member in shape.members.items()}

        def structure(value: dict[str, Any], path: str, problems: list[str]) -> None:
            for name in required:
                if value.get(name) is None:
                    problems.append(_null_problem(path + name))
            absent: list[str] | None = None
            for name, item in value.items():
                if item is None:
                    absent = absent or []
                    absent.append(name)
                    continue
                check = members.get(name)
                if check is not None:
                    check(item, path + name, problems)
            for name in absent or ():
                del value[name]

        return structure

    def _compile_value(self, shape: Shape) -> Check:
        has_type = _type_test(shape.type_name)
        if isinstance(shape, StructureShape):
            contents: Check | None = _nested(self._structure_check(shape))
        elif isinstance(shape, ListShape):
            contents = _elements(self._member_check(shape.member))
        elif isinstance(shape, MapShape):
            contents = _map_values(self._member_check(shape.value))
        else:
            contents = None
        constraints = _constraints(shape)

        def value_check(value: Any, path: str, problems: list[str]) -> None:
            if not has_type(value):
                problems.append(
                    f"Value {_show(shape, value)} at '{path}' failed to satisfy constraint: "
                    f"Member must be of type {_json_type_name(shape.type_name)}"
                )
                return
            if constraints is not None:
                constraints(value, path, problems)
            if contents is not None:
                contents(value, path, problems)

        return value_check


def _nested(members: Check) -> Check:
    def nested(value: dict[str, Any], path: str, problems: list[str]) -> None:
        members(value, path + ".", problems)

    return nested


def _elements(item: Check) -> Check:
    def elements(value: list[Any], path: str, problems: list[str]) -> None:
        for index, element in enumerate(value, start=1):
            element_path = f"{path}.{index}.member"
            if element is None:
                problems.append(_null_problem(element_path))
            else:
                item(element, element_path, problems)

    return elements


def _map_values(item: Check) -> Check:
    def map_values(value: dict[str, Any], path: str, problems: list[str]) -> None:
        for key, element in value.items():
            if element is None:
                problems.append(_null_problem(f"{path}.{key}"))
            else:
                item(element, f"{path}.{key}", problems)

    return map_values


def _constraints(shape: Shape) -> Check | None:
    """The shape's min/max, enum and pattern as one check, or ``None`` when it has none."""
    meta = shape.metadata
    kind = shape.type_name
    if kind in ("boolean", "timestamp", "structure"):
        return None
    numeric = kind in _NUMBER_TYPES
    measured = "value" if numeric else "length"
    low, high = meta.get("min"), meta.get("max")
    textual = kind in _STRING_TYPES
    enum = meta.get("enum") if textual else None
    allowed = frozenset(enum) if enum else None
    pattern = meta.get("pattern") if textual else None
    compiled = JavaPattern(pattern) if pattern is not None else None
    if low is None and high is None and allowed is None and compiled is None:
        return None

    def constraints(value: Any, path: str, problems: list[str]) -> None:
        size = value if numeric else len(value)
        failed: list[str] = []
        if low is not None and size < low:
            failed.append(f"have {measured} greater than or equal to {low}")
        if high is not None and size > high:
            failed.append(f"have {measured} less than or equal to {high}")
        if allowed is not None and value not in allowed:
            failed.append(f"satisfy enum value set: [{', '.join(enum or ())}]")
        if compiled is not None and not compiled.fullmatch(value):
            failed.append(f"satisfy regular expression pattern: {pattern}")
        for constraint in failed:
            problems.append(
                f"Value {_show(shape, value)} at '{path}' failed to satisfy constraint: "
                f"Member must {constraint}"
            )

    return constraints


def _type_test(kind: str) -> Callable[[Any], bool]:
    if kind in _STRING_TYPES:
        return lambda value: isinstance(value, str)
    if kind in _INTEGER_TYPES:
        return lambda value: isinstance(value, int) and not isinstance(value, bool)
    if kind in ("float", "double"):
        return lambda value: isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return lambda value: isinstance(value, bool)
    if kind == "list":
        return lambda value: isinstance(value, list)
    if kind in ("structure", "map"):
        return lambda value: isinstance(value, dict)
    if kind == "timestamp":
        return lambda value: isinstance(value, str | int | float) and not isinstance(value, bool)
    return lambda value: True


def _json_type_name(kind: str) -> str:
    return {"structure": "object", "map": "object", "list": "list", "long": "integer"}.get(
        kind, kind
    )


def _null_problem(path: str) -> str:
    return f"Value null at '{path}' failed to satisfy constraint: Member must not be null"


def _show(shape: Shape, value: Any) -> str:
    """The value as an error message repeats it: quoted, redacted or cut short."""
    if shape.metadata.get("sensitive"):
        return f"'{_REDACTED}'"
    if isinstance(value, str):
        return f"'{bounded_echo(value)}'"
    if isinstance(value, list | dict) and len(value) > _ECHO_LIMIT:
        noun = "items" if isinstance(value, list) else "members"
        return f"({type(value).__name__} of {len(value)} {noun})"
    return bounded_echo(json.dumps(value))


def bounded_echo(text: str) -> str:
    """``text``, or its first characters, an ellipsis and its length when it is long."""
    if len(text) <= _ECHO_LIMIT:
        return text
    return f"{text[:_ECHO_LIMIT]}... ({len(text)} characters)"
