"""The Chime API as data: every operation of the service model, compiled once for serving.

The service model is chime-local's packaged copy (:mod:`chime_local.model`), never the installed
botocore's, so the emulator starts with any botocore, including one without Chime; botocore's
``ServiceModel`` still gives the shapes their behaviour. It is the only description of the
API. This module turns it into :class:`Operation` records (method, path template, fixed query,
status, shapes) that the router, parser, validator and serializer share. Loading and compiling
takes tens of milliseconds, so :func:`load_api` caches its immutable result per process; every
emulator instance shares it and keeps its own mutable state elsewhere.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import parse_qsl

from botocore.model import ServiceModel, Shape, StructureShape

from chime_local.model import SERVICE_NAME, load_document

_INTEGER_TYPES = frozenset({"integer", "long"})


@dataclass(frozen=True, slots=True)
class QueryMember:
    """An input member carried in the query string."""

    member: str
    wire_name: str
    integer: bool


@dataclass(frozen=True, slots=True)
class Operation:
    """One modeled operation, as the server needs it; everything a request needs is precomputed
    here once, so serving a request never walks the model."""

    name: str
    method: str
    path_template: str
    segments: tuple[str | None, ...]  # literal segment, or None for a label
    label_slots: tuple[tuple[int, str], ...]  # (segment index, input member) of each uri label
    fixed_query: tuple[tuple[str, str], ...]
    query_members: tuple[QueryMember, ...]
    body_members: tuple[str, ...]  # in the shape's order
    status: int
    input_shape: StructureShape | None
    output_shape: StructureShape | None
    writes: bool  # whether the operation may change state (every non-GET does)
    action: str  # the IAM action name, as in ``chime:GetUser``


@dataclass(frozen=True, slots=True)
class ChimeApi:
    model: ServiceModel
    operations: dict[str, Operation]

    def shape(self, name: str) -> Shape:
        return self.model.shape_for(name)


def _compile_operation(model: ServiceModel, name: str) -> Operation:
    op = model.operation_model(name)
    uri: str = op.http["requestUri"]
    path, _, query = uri.partition("?")
    members = op.input_shape.members if op.input_shape is not None else {}
    located = {
        member: (shape.serialization.get("location"), shape.serialization.get("name", member))
        for member, shape in members.items()
    }
    label_members = {wire: member for member, (where, wire) in located.items() if where == "uri"}
    segments: list[str | None] = []
    label_slots: list[tuple[int, str]] = []
    for index, segment in enumerate(path.strip("/").split("/") if path.strip("/") else []):
        if segment.startswith("{") and segment.endswith("}"):
            segments.append(None)
            label = segment[1:-1].rstrip("+")
            label_slots.append((index, label_members.get(label, label)))
        else:
            segments.append(segment)
    method = op.http["method"]
    return Operation(
        name=name,
        method=method,
        path_template=path,
        segments=tuple(segments),
        label_slots=tuple(label_slots),
        fixed_query=tuple(parse_qsl(query, keep_blank_values=True)),
        query_members=tuple(
            QueryMember(member, wire, members[member].type_name in _INTEGER_TYPES)
            for member, (where, wire) in located.items()
            if where == "querystring"
        ),
        body_members=tuple(member for member, (where, _) in located.items() if where is None),
        status=int(op.http.get("responseCode", 200)),
        input_shape=op.input_shape,
        output_shape=op.output_shape,
        writes=method != "GET",
        action=f"chime:{name}",
    )


@functools.cache
def load_api() -> ChimeApi:
    """Load the packaged Chime model and compile every operation."""
    model = ServiceModel(load_document("service-2.json"), service_name=SERVICE_NAME)
    operations = {name: _compile_operation(model, name) for name in model.operation_names}
    return ChimeApi(model=model, operations=operations)
