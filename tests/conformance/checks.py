"""What a client's result must show for a scenario; problems are returned, not raised, so the
same check feeds both the tests and the support matrix."""

from __future__ import annotations

from typing import Any

from botocore.model import Shape

from chime_local.protocol.api import load_api
from tests.conformance.scenarios import Scenario, resolve

_JSON_TYPES = {"string": str, "boolean": bool, "list": list, "object": dict}


def problems(scenario: Scenario, result: dict[str, Any], ids: dict[str, str]) -> list[str]:
    if scenario.error is not None:
        found = (result.get("error"), result.get("status"))
        expected = (scenario.error, scenario.status)
        return [] if found == expected else [f"expected {expected}, got {found}: {result}"]
    if not result.get("ok"):
        return [f"expected success, got {result}"]
    if scenario.paginate is not None:
        found_items = result.get("items")
        issues = (
            []
            if found_items == scenario.items
            else [f"paginated {found_items} items, expected {scenario.items}"]
        )
        if result.get("pages") is not None and result["pages"] != scenario.items:
            issues.append(f"{result['pages']} pages for {scenario.items} items of page size 1")
        return issues
    operation = load_api().operations[scenario.operation]
    issues = []
    if result.get("status") is not None and result["status"] != operation.status:
        issues.append(f"status {result['status']}, modeled {operation.status}")
    if operation.output_shape is not None:
        issues += _types(operation.output_shape, result["output"], operation.name)
    for path, expected in resolve(scenario.fields, ids).items():
        issues += _field(result["output"], path, expected)
    return issues


def _types(shape: Shape, value: Any, path: str) -> list[str]:
    """Every value has the JSON type its shape calls for; timestamps were parsed as dates."""
    kind = shape.type_name
    if kind == "timestamp":
        ok = isinstance(value, dict) and "$timestamp" in value
        return [] if ok else [f"{path}: a timestamp the client did not parse as a date: {value!r}"]
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {value!r}"]
        found = []
        for name, item in value.items():
            if name not in shape.members:
                found.append(f"{path}.{name}: not in the output shape")
            elif item is not None:
                found += _types(shape.members[name], item, f"{path}.{name}")
        return found
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {value!r}"]
        return [
            p for i, item in enumerate(value) for p in _types(shape.member, item, f"{path}.{i}")
        ]
    expected = {"string": str, "boolean": bool, "integer": int, "long": int}.get(kind)
    if expected is not None and (
        not isinstance(value, expected) or (expected is int and isinstance(value, bool))
    ):
        return [f"{path}: expected {kind}, got {value!r}"]
    return []


def _field(output: Any, path: str, expected: str) -> list[str]:
    value = output
    for part in path.split("."):
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return [f"{path}: missing"]
    if expected.startswith("="):
        return (
            [] if str(value) == expected[1:] else [f"{path}: {value!r}, expected {expected[1:]!r}"]
        )
    if expected == "timestamp":
        return (
            []
            if isinstance(value, dict) and "$timestamp" in value
            else [f"{path}: not a date: {value!r}"]
        )
    return (
        [] if isinstance(value, _JSON_TYPES[expected]) else [f"{path}: not a {expected}: {value!r}"]
    )
