"""The Chime API as an OpenAPI 3.1 document, derived from the model and nothing else.

The document is for tools (fuzzers, client generators, API browsers): every operation with its
method and path, its path, query and header parameters, its request and response bodies as JSON
Schema (required members, lengths, ranges, patterns, enums) and every modeled error with its
status. ``chime-local openapi`` prints it and ``GET /_chime_local/openapi/chime.json`` serves it.

Two things OpenAPI cannot say directly are written as close to the wire as it allows:

- Several Chime operations share a method and path and differ by a literal query string
  (``POST /accounts/{accountId}/users?operation=suspend``); the literal query is kept in the
  path key, so each operation has a key of its own, exactly as the model writes its request URI.
- Errors that share a status (``BadRequestException`` and ``ResourceLimitExceededException``
  are both 400) are one response whose body is ``oneOf`` their schemas; the
  ``x-amzn-ErrorType`` header names which one it is.

Patterns are the model's (Java regular expressions); in the ASCII subset the model uses they
read the same in ECMA-262, the dialect JSON Schema names.
"""

from __future__ import annotations

import functools
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from chime_local.protocol.api import ChimeApi, Operation, load_api

OPENAPI_VERSION = "3.1.0"
_SCHEMAS = "#/components/schemas/"
_SCALAR_TYPES = {
    "string": {"type": "string"},
    "integer": {"type": "integer", "format": "int32"},
    "long": {"type": "integer", "format": "int64"},
    "boolean": {"type": "boolean"},
    "double": {"type": "number", "format": "double"},
    "float": {"type": "number", "format": "float"},
    "blob": {"type": "string", "contentEncoding": "base64"},
    "timestamp": {"type": "string", "format": "date-time"},
}
_PARAMETER_LOCATIONS = {"uri": "path", "querystring": "query", "header": "header"}


def ref(shape_name: str) -> dict[str, str]:
    return {"$ref": _SCHEMAS + shape_name}


def wire_name(member: str, shape: Shape) -> str:
    return str(shape.serialization.get("name", member))


class _SchemaBuilder:
    """Collects one JSON Schema per named model shape reached from the operations."""

    def __init__(self) -> None:
        self.schemas: dict[str, dict[str, Any]] = {}

    def reference(self, shape: Shape) -> dict[str, Any]:
        if shape.name not in self.schemas:
            self.schemas[shape.name] = {}  # reserve first: the model's shapes may recurse
            self.schemas[shape.name] = self.schema(shape)
        return ref(shape.name)

    def schema(self, shape: Shape) -> dict[str, Any]:
        if isinstance(shape, StructureShape):
            return self.structure(shape, list(shape.members))
        if isinstance(shape, ListShape):
            return {
                "type": "array",
                "items": self.reference(shape.member),
                **_bounds(shape, "Items"),
            }
        if isinstance(shape, MapShape):
            return {"type": "object", "additionalProperties": self.reference(shape.value)}
        return _scalar(shape)

    def structure(self, shape: StructureShape, members: list[str]) -> dict[str, Any]:
        """An object schema of some of a structure's members (those carried in a JSON body)."""
        properties = {
            wire_name(member, shape.members[member]): self.reference(shape.members[member])
            for member in members
        }
        required = [
            wire_name(member, shape.members[member])
            for member in shape.required_members
            if member in members
        ]
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            schema["required"] = required
        if shape.documentation:
            schema["description"] = _plain(shape.documentation)
        return schema


def _bounds(shape: Shape, noun: str) -> dict[str, Any]:
    """minLength/maxLength, minItems/maxItems or minimum/maximum, from the model's min and max."""
    metadata = shape.metadata
    lower, upper = ("minimum", "maximum") if noun == "Number" else (f"min{noun}", f"max{noun}")
    bounds: dict[str, Any] = {}
    if "min" in metadata:
        bounds[lower] = metadata["min"]
    if "max" in metadata:
        bounds[upper] = metadata["max"]
    return bounds


def _scalar(shape: Shape) -> dict[str, Any]:
    schema: dict[str, Any] = dict(_SCALAR_TYPES[shape.type_name])
    if shape.type_name == "string":
        schema.update(_bounds(shape, "Length"))
        if "pattern" in shape.metadata:
            schema["pattern"] = shape.metadata["pattern"]
        if "enum" in shape.metadata:
            schema["enum"] = list(shape.metadata["enum"])
    elif shape.type_name in ("integer", "long"):
        schema.update(_bounds(shape, "Number"))
    if shape.metadata.get("sensitive"):
        schema["x-amzn-sensitive"] = True
    return schema


def _plain(html: str) -> str:
    """The model's documentation is HTML; a short plain first sentence reads better in tools."""
    text = " ".join(html.replace("<p>", " ").replace("</p>", " ").split())
    return text.split(". ")[0].rstrip(".") + "." if text else ""


def _parameters(builder: _SchemaBuilder, shape: StructureShape | None) -> list[dict[str, Any]]:
    if shape is None:
        return []
    parameters = []
    for member, member_shape in shape.members.items():
        location = _PARAMETER_LOCATIONS.get(member_shape.serialization.get("location", ""))
        if location is None:
            continue
        parameters.append(
            {
                "name": wire_name(member, member_shape),
                "in": location,
                "required": location == "path" or member in shape.required_members,
                "schema": builder.reference(member_shape),
            }
        )
    return parameters


def _request_body(builder: _SchemaBuilder, operation: Operation) -> dict[str, Any] | None:
    shape = operation.input_shape
    if shape is None or not operation.body_members:
        return None
    schema = builder.structure(shape, list(operation.body_members))
    return {
        "required": bool(schema.get("required")),
        "content": {"application/json": {"schema": schema}},
    }


def _success(builder: _SchemaBuilder, operation: Operation) -> dict[str, Any]:
    shape = operation.output_shape
    response: dict[str, Any] = {"description": f"{operation.name} succeeded."}
    if shape is None:
        return response
    body = [m for m, s in shape.members.items() if "location" not in s.serialization]
    headers = {
        wire_name(m, s): {"schema": builder.reference(s)}
        for m, s in shape.members.items()
        if s.serialization.get("location") == "header"
    }
    if body:
        schema = builder.structure(shape, body)
        response["content"] = {"application/json": {"schema": schema}}
    if headers:
        response["headers"] = headers
    return response


def _errors(builder: _SchemaBuilder, model: OperationModel) -> dict[str, Any]:
    by_status: dict[int, list[StructureShape]] = {}
    for error in model.error_shapes:
        by_status.setdefault(int(error.metadata["error"]["httpStatusCode"]), []).append(error)
    responses: dict[str, Any] = {}
    for status, errors in sorted(by_status.items()):
        names = sorted(error.name for error in errors)
        schemas = [builder.reference(error) for error in sorted(errors, key=lambda e: e.name)]
        responses[str(status)] = {
            "description": " or ".join(names),
            "headers": {
                "x-amzn-ErrorType": {
                    "required": True,
                    "schema": {"type": "string", "enum": names},
                }
            },
            "content": {
                "application/json": {
                    "schema": schemas[0] if len(schemas) == 1 else {"oneOf": schemas}
                }
            },
        }
    return responses


def path_key(operation: Operation) -> str:
    """The document's path for an operation: the model's request URI, literal query included."""
    query = "&".join(f"{name}={value}" for name, value in operation.fixed_query)
    return operation.path_template + (f"?{query}" if query else "")


def _operation(builder: _SchemaBuilder, api: ChimeApi, operation: Operation) -> dict[str, Any]:
    model = api.model.operation_model(operation.name)
    document: dict[str, Any] = {
        "operationId": operation.name,
        "summary": _plain(model.documentation),
        "parameters": _parameters(builder, operation.input_shape),
        "responses": {str(operation.status): _success(builder, operation)}
        | _errors(builder, model),
        "security": [{"sigv4": []}],
    }
    body = _request_body(builder, operation)
    if body is not None:
        document["requestBody"] = body
    if model.deprecated:
        document["deprecated"] = True
    return document


def build_document(api: ChimeApi) -> dict[str, Any]:
    builder = _SchemaBuilder()
    paths: dict[str, dict[str, Any]] = {}
    for name in sorted(api.operations):
        operation = api.operations[name]
        paths.setdefault(path_key(operation), {})[operation.method.lower()] = _operation(
            builder, api, operation
        )
    metadata = api.model.metadata
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": metadata["serviceFullName"],
            "version": metadata["apiVersion"],
            "description": "Derived from the service model that chime-local serves.",
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(builder.schemas.items())),
            "securitySchemes": {
                "sigv4": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "AWS Signature Version 4, service chime.",
                }
            },
        },
    }


@functools.cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of the served model, built once per process (treat as read-only)."""
    return build_document(load_api())
