"""What every fuzzed response must satisfy, checked against the model and the OpenAPI document.

- never a 5xx;
- an error is one of the model's error shapes (or the AWS front end's UnknownOperationException
  when the path itself was broken), with the shape's status, its name in ``x-amzn-ErrorType`` and
  a JSON ``{"Code", "Message"}`` body;
- a success has the operation's status, parses with botocore's rest-json parser, and its body is
  valid against the operation's response schema in the OpenAPI document, read strictly: no
  member the output shape does not declare.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from botocore.model import OperationModel, ServiceModel
from botocore.parsers import create_parser
from jsonschema import Draft202012Validator

from chime_local.protocol.api import Operation
from chime_local.protocol.openapi import path_key
from tests.fuzz.wire import Reply

FRONT_END_ROUTING_ERROR = ("UnknownOperationException", 404)


def modeled_errors(model: ServiceModel) -> dict[str, int]:
    """Every error shape of the service and its HTTP status."""
    statuses: dict[str, int] = {}
    for name in model.operation_names:
        for error in model.operation_model(name).error_shapes:
            statuses[error.name] = int(error.metadata["error"]["httpStatusCode"])
    return statuses


def _closed(schema: Any) -> Any:
    """The schema with every object closed to members it does not declare."""
    if isinstance(schema, dict):
        closed = {key: _closed(value) for key, value in schema.items()}
        if "properties" in closed and "additionalProperties" not in closed:
            closed["additionalProperties"] = False
        return closed
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    return schema


class Oracle:
    def __init__(self, model: ServiceModel, document: dict[str, Any]) -> None:
        self.model = model
        self.errors = modeled_errors(model)
        self.document = document
        self.components = _closed(copy.deepcopy(document["components"]))
        self.parser = create_parser("rest-json")

    def check(self, operation: Operation, reply: Reply, *, path_broken: bool = False) -> None:
        where = f"{operation.name} -> {reply.status} {reply.body[:300]!r}"
        assert reply.status < 500, f"server error: {where}"
        if reply.status >= 300:
            self._check_error(reply, where, path_broken)
        else:
            self._check_success(operation, reply, where)

    def _check_error(self, reply: Reply, where: str, path_broken: bool) -> None:
        shape = reply.headers.get("x-amzn-errortype", "")
        allowed = dict(self.errors)
        if path_broken:
            allowed[FRONT_END_ROUTING_ERROR[0]] = FRONT_END_ROUTING_ERROR[1]
        assert shape in allowed, f"unmodeled error type {shape!r}: {where}"
        assert reply.status == allowed[shape], f"{shape} with status {reply.status}: {where}"
        document = json.loads(reply.body)
        assert isinstance(document, dict), where
        assert isinstance(document.get("Code"), str) and document["Code"], where
        assert isinstance(document.get("Message"), str), where

    def _check_success(self, operation: Operation, reply: Reply, where: str) -> None:
        assert reply.status == operation.status, f"success status: {where}"
        model: OperationModel = self.model.operation_model(operation.name)
        parsed = self.parser.parse(
            {"status_code": reply.status, "headers": reply.headers, "body": reply.body},
            model.output_shape,
        )
        assert "Error" not in parsed, where
        response = self.document["paths"][path_key(operation)][operation.method.lower()][
            "responses"
        ][str(operation.status)]
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        if reply.status == 204:  # No Content: botocore reads the output from an empty body
            assert reply.body == b"", f"a 204 with a body: {where}"
            return
        if schema is None:
            assert reply.body in (b"", b"{}"), f"body where the model has none: {where}"
            return
        root = _closed(schema) | {"components": self.components}
        problems = sorted(Draft202012Validator(root).iter_errors(json.loads(reply.body)), key=str)
        assert not problems, f"{where}: {[p.message for p in problems[:3]]}"
