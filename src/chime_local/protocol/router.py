"""Routing derived from the model: method, path template and the literal query arguments.

Several operations share a method and path and differ only by a fixed query argument
(``?operation=create``, ``?type=phone-numbers``); a request without one goes to the operation
that has none. Per ``decisions.md`` 1: no matching path or an unknown fixed-query value is
``UnknownOperationException`` (404), and an empty path segment where a label belongs is
``BadRequestException`` naming the member, never another operation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple
from urllib.parse import unquote

from chime_local.errors import BadRequestException, UnknownOperationException
from chime_local.protocol.api import Operation

# Query arguments that select an operation. A request carrying one of these whose value selects no
# operation is unknown, rather than silently falling back to the bare-path operation.
SELECTOR_ARGUMENTS = frozenset({"operation", "type"})


@dataclass(frozen=True, slots=True)
class _Template:
    """One path template and the operations on it (those with a fixed query first)."""

    literals: object  # what ``pick`` returns for a matching path: one literal or a tuple of them
    pick: Callable[[list[str]], object] | None  # itemgetter of the literal segments' positions
    operations: tuple[Operation, ...]
    bare: Operation | None  # the operation without a fixed query, if any

    def matches(self, raw_segments: list[str]) -> bool:
        return self.pick is None or self.pick(raw_segments) == self.literals


def _template(segments: tuple[str | None, ...], operations: list[Operation]) -> _Template:
    operations.sort(key=lambda o: not o.fixed_query)
    positions = [index for index, literal in enumerate(segments) if literal is not None]
    literals = tuple(segments[index] for index in positions)
    bare = operations[-1] if not operations[-1].fixed_query else None
    return _Template(
        literals=literals[0] if len(literals) == 1 else literals,
        pick=itemgetter(*positions) if positions else None,
        operations=tuple(operations),
        bare=bare,
    )


class Match(NamedTuple):
    """The routed operation and its labels (a named tuple: one is built per request)."""

    operation: Operation
    labels: dict[str, str]  # input member name -> decoded label value


def split_path(path: str) -> list[str]:
    """Split a still-encoded request path into raw segments (``/`` gives none)."""
    stripped = path[1:] if path.startswith("/") else path
    return stripped.split("/") if stripped else []


class Router:
    """Finds the operation for a request; built once from the compiled operations.

    Templates are grouped by method and segment count and tried most literal segments first; a
    template's literal segments are compared in one step (an ``itemgetter`` over their positions).
    """

    def __init__(self, operations: Iterable[Operation]) -> None:
        by_template: dict[tuple[str, tuple[str | None, ...]], list[Operation]] = defaultdict(list)
        for op in operations:
            by_template[(op.method, op.segments)].append(op)
        table: dict[tuple[str, int], list[tuple[int, _Template]]] = defaultdict(list)
        for (method, segments), ops in by_template.items():
            literal_count = sum(1 for s in segments if s is not None)
            table[(method, len(segments))].append((literal_count, _template(segments, ops)))
        self._table = {
            key: tuple(t for _, t in sorted(entries, key=lambda e: -e[0]))
            for key, entries in table.items()
        }

    def route(self, method: str, path: str, query: Mapping[str, str]) -> Match:
        raw_segments = split_path(path)
        for template in self._table.get((method, len(raw_segments)), ()):
            if template.matches(raw_segments):
                break
        else:
            raise UnknownOperationException(f"No operation matches {method} {path}")
        operation = template.bare if not query and template.bare else None
        if operation is None:
            operation = self._select(template, query, method, path)
        return Match(operation, _labels(operation, raw_segments))

    @staticmethod
    def _select(template: _Template, query: Mapping[str, str], method: str, path: str) -> Operation:
        for op in template.operations:
            selected = all(query.get(key) == value for key, value in op.fixed_query)
            if selected and (op.fixed_query or not SELECTOR_ARGUMENTS & query.keys()):
                return op
        selector = ", ".join(f"{k}={query[k]}" for k in sorted(SELECTOR_ARGUMENTS & query.keys()))
        detail = f" with {selector}" if selector else ""
        raise UnknownOperationException(f"No operation matches {method} {path}{detail}")


def _labels(operation: Operation, raw_segments: list[str]) -> dict[str, str]:
    """The decoded label values by input member; an empty one is a BadRequest naming it."""
    labels: dict[str, str] = {}
    for index, member in operation.label_slots:
        raw = raw_segments[index]
        value = unquote(raw) if "%" in raw else raw
        if not value:
            raise BadRequestException(
                f"1 validation error detected: Value '' at '{member}' failed to satisfy "
                "constraint: Member must not be empty"
            )
        labels[member] = value
    return labels
