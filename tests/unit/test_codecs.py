"""The codecs against botocore, the oracle: every operation routes, parses and serializes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from chime_local.clock import wire_time
from chime_local.errors import ERRORS_BY_SHAPE, MODELED_ERRORS, BadRequestException, ChimeError
from chime_local.protocol.api import load_api
from chime_local.protocol.parser import parse_request
from chime_local.protocol.router import Router
from chime_local.protocol.serializer import Serializer, error_response
from tests.support import example_input, example_value

API = load_api()
ROUTER = Router(API.operations.values())
OPERATIONS = sorted(API.operations)


def botocore_request(name: str, params: dict[str, Any]) -> dict[str, Any]:
    serializer = create_serializer("rest-json", include_validation=False)
    request: dict[str, Any] = serializer.serialize_to_request(
        params, API.model.operation_model(name)
    )
    return request


def test_the_model_has_62_operations() -> None:
    assert len(OPERATIONS) == 62


@pytest.mark.parametrize("name", OPERATIONS)
def test_every_operation_routes_and_parses_back_to_itself(name: str) -> None:
    operation = API.operations[name]
    params = example_input(operation.input_shape)
    request = botocore_request(name, params)
    # botocore keeps the fixed query in url_path; the HTTP layer joins it with query_string.
    path, _, fixed = request["url_path"].partition("?")
    query = dict(parse_qsl(fixed, keep_blank_values=True))
    query.update({k: str(v) for k, v in dict(request["query_string"] or {}).items()})
    match = ROUTER.route(request["method"], path, query)
    assert match.operation.name == name
    parsed = parse_request(match.operation, match.labels, query, request["body"] or b"")
    assert parsed == params


def _normalise(value: Any) -> Any:
    if isinstance(value, datetime):
        return wire_time(value)
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


@pytest.mark.parametrize("name", OPERATIONS)
def test_every_output_is_parsed_back_by_botocore_unchanged(name: str) -> None:
    operation = API.operations[name]
    result = example_value(operation.output_shape, "out") if operation.output_shape else {}
    response = Serializer().success(operation, result, "req-1")
    parsed = create_parser("rest-json").parse(
        {"status_code": response.status, "headers": response.headers, "body": response.body},
        API.model.operation_model(name).output_shape,
    )
    if operation.status == 204:
        assert response.body == b""
        assert _normalise(parsed) == {}
    else:
        assert _normalise(parsed) == result


@pytest.mark.parametrize("error_class", MODELED_ERRORS)
def test_each_modeled_error_has_the_models_status_and_botocore_names_it(
    error_class: type[ChimeError],
) -> None:
    shape = API.model.shape_for(error_class.shape)
    assert shape.metadata["error"]["httpStatusCode"] == error_class.status
    assert error_class.code in API.model.shape_for("ErrorCode").enum
    response = error_response(error_class("it went wrong"), "req-2")
    parsed = create_parser("rest-json").parse(
        {"status_code": response.status, "headers": response.headers, "body": response.body},
        None,
    )
    assert parsed["Error"] == {"Code": error_class.shape, "Message": "it went wrong"}
    assert parsed["ResponseMetadata"]["RequestId"] == "req-2"
    assert response.status == error_class.status
    assert response.headers["x-amzn-errortype"] == error_class.shape
    assert json.loads(response.body) == {"Code": error_class.code, "Message": "it went wrong"}


def test_every_modeled_error_shape_has_a_class() -> None:
    modeled = {name for name in API.model.shape_names if name.endswith("Exception")}
    assert modeled <= set(ERRORS_BY_SHAPE)


@pytest.mark.parametrize(
    ("moment", "wire"),
    [
        # an offset other than UTC: the hour moves, the zone becomes Z
        (
            datetime(2019, 1, 8, 19, 59, 18, 6123, tzinfo=timezone(timedelta(hours=2))),
            "2019-01-08T17:59:18.006Z",
        ),
        # crossing midnight backwards, from a negative offset
        (
            datetime(2019, 1, 8, 21, 5, 7, 0, tzinfo=timezone(timedelta(hours=-5))),
            "2019-01-09T02:05:07.000Z",
        ),
        # milliseconds are truncated, never rounded up into the next second
        (datetime(2019, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "2019-12-31T23:59:59.999Z"),
    ],
)
def test_timestamps_are_utc_iso8601_with_milliseconds_and_z(moment: datetime, wire: str) -> None:
    operation = API.operations["GetAccount"]
    body = Serializer().success(operation, {"Account": {"CreatedTimestamp": moment}}, "r").body
    assert json.loads(body) == {"Account": {"CreatedTimestamp": wire}}
    assert wire_time(moment) == wire


def test_204_has_no_body_even_when_the_output_shape_has_members() -> None:
    operation = API.operations["PutRetentionSettings"]
    response = Serializer().success(operation, {"InitiateDeletionTimestamp": "x"}, "r")
    assert (response.status, response.body) == (204, b"")
    assert response.headers["x-amzn-requestid"] == "r"


def test_empty_output_shape_is_an_empty_object() -> None:
    operation = API.operations["AssociatePhoneNumberWithUser"]
    assert Serializer().success(operation, None, "r").body == b"{}"


def test_parser_treats_absent_empty_and_empty_object_bodies_alike() -> None:
    operation = API.operations["UpdateAccount"]
    labels = {"AccountId": "a"}
    for body in (b"", b"  ", b"{}"):
        assert parse_request(operation, labels, {}, body) == {"AccountId": "a"}


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe"])
def test_parser_rejects_malformed_and_non_object_bodies(body: bytes) -> None:
    with pytest.raises(BadRequestException):
        parse_request(API.operations["CreateAccount"], {}, {}, body)


def test_parser_rejects_a_non_numeric_query_integer() -> None:
    with pytest.raises(BadRequestException, match="MaxResults"):
        parse_request(API.operations["ListAccounts"], {}, {"max-results": "ten"}, b"")


def test_query_members_are_read_from_the_query_the_sdk_sends() -> None:
    """Our router and parser read the query exactly as botocore encodes it on the wire."""
    params = {"AreaCode": "206", "MaxResults": 3}
    request = botocore_request("SearchAvailablePhoneNumbers", params)
    path, _, fixed = request["url_path"].partition("?")
    wire_query = fixed + "&" + urlencode(request["query_string"])
    query = dict(parse_qsl(wire_query, keep_blank_values=True))
    match = ROUTER.route("GET", path, query)
    assert match.operation.name == "SearchAvailablePhoneNumbers"
    assert parse_request(match.operation, match.labels, query, b"") == params
