"""The OpenAPI document: valid OpenAPI 3.1, and every operation of the model in it, faithfully."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openapi_spec_validator import validate

from chime_local.protocol.api import load_api
from chime_local.protocol.openapi import build_document, openapi_document, path_key
from chime_local.testing import ServerProcess
from tests.api.admin_calls import admin
from tests.support import cli

API = load_api()
DOCUMENT = openapi_document()


def operation_of(name: str) -> dict[str, Any]:
    operation = API.operations[name]
    found: dict[str, Any] = DOCUMENT["paths"][path_key(operation)][operation.method.lower()]
    return found


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return resolve(DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
    return schema


def test_document_is_valid_openapi_3_1() -> None:
    assert DOCUMENT["openapi"].startswith("3.1")
    validate(DOCUMENT)


def test_every_operation_appears_once_with_its_method_and_path() -> None:
    listed = {
        (entry["operationId"], method.upper(), path)
        for path, methods in DOCUMENT["paths"].items()
        for method, entry in methods.items()
    }
    expected = {
        (name, op.method, op.path_template + "".join(f"?{k}={v}" for k, v in op.fixed_query))
        for name, op in API.operations.items()
    }
    assert len(listed) == len(API.operations) == 62
    assert listed == expected


@pytest.mark.parametrize("name", sorted(API.operations))
def test_parameters_and_body_are_the_input_shapes_members(name: str) -> None:
    operation, entry = API.operations[name], operation_of(name)
    by_location: dict[str, set[str]] = {"path": set(), "query": set(), "header": set()}
    for parameter in entry["parameters"]:
        by_location[parameter["in"]].add(parameter["name"])
        assert parameter["required"] or parameter["in"] != "path"
    labels = {
        segment.strip("{}+") for segment in operation.path_template.split("/") if "{" in segment
    }
    assert by_location["path"] == labels
    assert by_location["query"] == {member.wire_name for member in operation.query_members}
    body = entry.get("requestBody", {}).get("content", {}).get("application/json", {})
    assert set(body.get("schema", {}).get("properties", {})) == set(operation.body_members)
    shape = operation.input_shape
    required = [m for m in (shape.required_members if shape else []) if m in operation.body_members]
    assert sorted(body.get("schema", {}).get("required", [])) == sorted(required)
    assert str(operation.status) in entry["responses"]


@pytest.mark.parametrize("name", sorted(API.operations))
def test_every_modeled_error_has_its_status_and_error_type(name: str) -> None:
    responses = operation_of(name)["responses"]
    for error in API.model.operation_model(name).error_shapes:
        response = responses[str(error.metadata["error"]["httpStatusCode"])]
        assert error.name in response["headers"]["x-amzn-ErrorType"]["schema"]["enum"]
        schema = response["content"]["application/json"]["schema"]
        assert {"$ref": f"#/components/schemas/{error.name}"} in schema.get("oneOf", [schema])


def test_constraints_come_from_the_model() -> None:
    schemas = DOCUMENT["components"]["schemas"]
    assert schemas["AccountName"] == {
        "type": "string",
        "minLength": 1,
        "maxLength": 100,
        "pattern": ".*\\S.*",
    }
    assert schemas["ProfileServiceMaxResults"] == {
        "type": "integer",
        "format": "int32",
        "minimum": 1,
        "maximum": 200,
    }
    assert schemas["License"]["enum"] == ["Basic", "Plus", "Pro", "ProTrial"]
    assert schemas["UpdateUserRequestItemList"]["maxItems"] == 20
    assert schemas["Iso8601Timestamp"]["format"] == "date-time"
    create_user = resolve(
        operation_of("CreateAccount")["requestBody"]["content"]["application/json"]["schema"]
    )
    assert create_user["required"] == ["Name"]


@pytest.mark.parametrize("name", sorted(DOCUMENT["components"]["schemas"]))
def test_every_schema_carries_its_shapes_constraints(name: str) -> None:
    shape, schema = API.shape(name), DOCUMENT["components"]["schemas"][name]
    metadata = shape.metadata
    if shape.type_name == "structure":
        members = {m: s for m, s in shape.members.items() if "location" not in s.serialization}
        assert set(schema["properties"]) <= {
            s.serialization.get("name", m) for m, s in shape.members.items()
        }
        assert set(members) <= set(schema["properties"])
        return
    words = {
        "string": ("minLength", "maxLength"),
        "list": ("minItems", "maxItems"),
        "integer": ("minimum", "maximum"),
        "long": ("minimum", "maximum"),
    }.get(shape.type_name, ("", ""))
    expected = {words[0]: metadata.get("min"), words[1]: metadata.get("max")}
    expected |= {"pattern": metadata.get("pattern"), "enum": metadata.get("enum")}
    assert {key: schema.get(key) for key in expected} == {
        key: (list(value) if key == "enum" and value else value) for key, value in expected.items()
    }


def test_the_document_is_built_from_the_model_alone() -> None:
    assert build_document(API) == DOCUMENT


def test_cli_prints_and_server_serves_the_same_document(server: ServerProcess) -> None:
    printed = cli("openapi")
    assert printed.returncode == 0, printed.stderr
    status, served = admin(server, "GET", "openapi/chime.json")
    assert status == 200
    assert json.loads(printed.stdout) == served == json.loads(json.dumps(DOCUMENT))
