"""Routing derived from the model: method, path template and the literal query arguments.

Several operations share a method and path and differ only by a fixed query argument
(``?operation=create``, ``?type=phone-numbers``); a request without one goes to the operation
that has none. Per ``decisions.md`` 1: no matching path or an unknown fixed-query value is
``UnknownOperationException`` (404), and an empty path segment where a label belongs is
``BadRequestException`` naming the member, never another operation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from chime_local.errors import BadRequestException, UnknownOperationException
from chime_local.protocol.api import Operation

# Query arguments that select an operation. A request carrying one of these whose value selects no
# operation is unknown, rather than silently falling back to the bare-path operation.
SELECTOR_ARGUMENTS = frozenset({"operation", "type"})


@dataclass(frozen=True, slots=True)
class _Template:
    segments: tuple[str | None, ...]
    literal_count: int
    operations: tuple[Operation, ...]  # those with a fixed query first, bare last


@dataclass(frozen=True, slots=True)
class Match:
    operation: Operation
    labels: dict[str, str]  # input member name -> decoded label value


def split_path(path: str) -> list[str]:
    """Split a still-encoded request path into raw segments (``/`` gives none)."""
    stripped = path[1:] if path.startswith("/") else path
    return stripped.split("/") if stripped else []


class Router:
    """Finds the operation for a request; built once from the compiled operations."""

    def __init__(self, operations: Iterable[Operation]) -> None:
        by_template: dict[tuple[str, tuple[str | None, ...]], list[Operation]] = defaultdict(list)
        for op in operations:
            by_template[(op.method, op.segments)].append(op)
        table: dict[tuple[str, int], list[_Template]] = defaultdict(list)
        for (method, segments), ops in by_template.items():
            ops.sort(key=lambda o: not o.fixed_query)
            literal_count = sum(1 for s in segments if s is not None)
            table[(method, len(segments))].append(_Template(segments, literal_count, tuple(ops)))
        for templates in table.values():
            templates.sort(key=lambda t: -t.literal_count)
        self._table = dict(table)

    def route(self, method: str, path: str, query: Mapping[str, str]) -> Match:
        raw_segments = split_path(path)
        template = self._template_for(method, raw_segments)
        if template is None:
            raise UnknownOperationException(f"No operation matches {method} {path}")
        operation = self._select(template, query, method, path)
        labels: dict[str, str] = {}
        label_names = iter(operation.labels)
        for literal, raw in zip(template.segments, raw_segments, strict=True):
            if literal is not None:
                continue
            label = next(label_names)
            member = operation.label_members.get(label, label)
            value = unquote(raw)
            if not value:
                raise BadRequestException(
                    f"1 validation error detected: Value '' at '{member}' failed to satisfy "
                    "constraint: Member must not be empty"
                )
            labels[member] = value
        return Match(operation, labels)

    def _template_for(self, method: str, raw_segments: list[str]) -> _Template | None:
        for template in self._table.get((method, len(raw_segments)), ()):
            if all(
                literal is None or literal == raw
                for literal, raw in zip(template.segments, raw_segments, strict=True)
            ):
                return template
        return None

    @staticmethod
    def _select(template: _Template, query: Mapping[str, str], method: str, path: str) -> Operation:
        for op in template.operations:
            selected = all(query.get(key) == value for key, value in op.fixed_query)
            if selected and (op.fixed_query or not SELECTOR_ARGUMENTS & query.keys()):
                return op
        selector = ", ".join(f"{k}={query[k]}" for k in sorted(SELECTOR_ARGUMENTS & query.keys()))
        detail = f" with {selector}" if selector else ""
        raise UnknownOperationException(f"No operation matches {method} {path}{detail}")
