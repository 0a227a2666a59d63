"""The Chime API as data: every operation of the botocore model, compiled once for serving.

The botocore service model (read through botocore's own loader) is the only description of the
API. This module turns it into :class:`Operation` records (method, path template, fixed query,
status, shapes) that the router, parser, validator and serializer share. Loading and compiling
takes tens of milliseconds, so :func:`load_api` caches its immutable result per process; every
emulator instance shares it and keeps its own mutable state elsewhere.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import parse_qsl

import botocore.session
from botocore.model import ServiceModel, Shape, StructureShape

SERVICE_NAME = "chime"


@dataclass(frozen=True, slots=True)
class Operation:
    """One modeled operation, as the server needs it."""

    name: str
    method: str
    path_template: str
    segments: tuple[str | None, ...]  # literal segment, or None for a label
    labels: tuple[str, ...]  # uri label names, in path order
    label_members: dict[str, str]  # uri label name -> input member name
    fixed_query: tuple[tuple[str, str], ...]
    status: int
    input_shape: StructureShape | None
    output_shape: StructureShape | None

    @property
    def writes(self) -> bool:
        """Whether the operation may change state (every non-GET does)."""
        return self.method != "GET"

    @property
    def action(self) -> str:
        """The IAM action name, as in ``chime:GetUser``."""
        return f"chime:{self.name}"


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
    segments: list[str | None] = []
    labels: list[str] = []
    for segment in path.strip("/").split("/") if path.strip("/") else []:
        if segment.startswith("{") and segment.endswith("}"):
            segments.append(None)
            labels.append(segment[1:-1].rstrip("+"))
        else:
            segments.append(segment)
    label_members: dict[str, str] = {}
    if op.input_shape is not None:
        for member, shape in op.input_shape.members.items():
            if shape.serialization.get("location") == "uri":
                label_members[shape.serialization.get("name", member)] = member
    return Operation(
        name=name,
        method=op.http["method"],
        path_template=path,
        segments=tuple(segments),
        labels=tuple(labels),
        label_members=label_members,
        fixed_query=tuple(parse_qsl(query, keep_blank_values=True)),
        status=int(op.http.get("responseCode", 200)),
        input_shape=op.input_shape,
        output_shape=op.output_shape,
    )


@functools.cache
def load_api() -> ChimeApi:
    """Load the Chime model through botocore's loader and compile every operation."""
    model = botocore.session.get_session().get_service_model(SERVICE_NAME)
    operations = {name: _compile_operation(model, name) for name in model.operation_names}
    return ChimeApi(model=model, operations=operations)
