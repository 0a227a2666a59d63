"""The wire contract seen from raw HTTP: decisions 1-4 for requests no SDK would send."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.api.raw import call
from tests.support import fresh_tenant


def error_of(response: tuple[int, dict[str, str], bytes]) -> tuple[int, str, str, str]:
    status, headers, body = response
    document = json.loads(body)
    return status, headers["x-amzn-errortype"], document["Code"], document["Message"]


def test_unknown_operation_value_is_404_unknown_operation(server: Any) -> None:
    status, error, code, message = error_of(
        call(server.endpoint_url, "POST", "/accounts/a/users?operation=frobnicate", {})
    )
    assert (status, error, code) == (404, "UnknownOperationException", "NotFound")
    assert "frobnicate" in message


def test_unknown_path_is_404_unknown_operation(server: Any) -> None:
    assert error_of(call(server.endpoint_url, "GET", "/no/such/thing"))[:3] == (
        404,
        "UnknownOperationException",
        "NotFound",
    )


def test_get_accounts_with_trailing_slash_is_bad_request_not_list(server: Any) -> None:
    status, error, _, message = error_of(call(server.endpoint_url, "GET", "/accounts/"))
    assert (status, error) == (400, "BadRequestException") and "AccountId" in message


@pytest.mark.parametrize("body", [b"{broken", b"[]", b"42", b'{"Name": 7}', b'{"Name": "   "}'])
def test_bad_bodies_are_bad_request_and_change_nothing(server: Any, body: bytes) -> None:
    tenant = fresh_tenant()
    auth = {
        "Authorization": f"AWS4-HMAC-SHA256 Credential={tenant}/20240101/us-east-1/chime/aws4_request, SignedHeaders=host, Signature=00"
    }
    status, error, code, _ = error_of(call(server.endpoint_url, "POST", "/accounts", body, auth))
    assert (status, error, code) == (400, "BadRequestException", "BadRequest")
    listed = json.loads(call(server.endpoint_url, "GET", "/accounts", headers=auth)[2])
    assert listed == {"Accounts": []}


def test_non_numeric_max_results_is_bad_request(server: Any) -> None:
    status, error, _, message = error_of(
        call(server.endpoint_url, "GET", "/accounts?max-results=ten")
    )
    assert (status, error) == (400, "BadRequestException") and "MaxResults" in message


def test_unsigned_request_is_401(server: Any) -> None:
    status, error, code, _ = error_of(call(server.endpoint_url, "GET", "/accounts", signed=False))
    assert (status, error, code) == (401, "UnauthorizedClientException", "Unauthorized")


def test_an_operation_without_a_handler_is_501_naming_it() -> None:
    from chime_local import Emulator
    from chime_local.config import Config
    from chime_local.protocol.http import HttpRequest
    from tests.api.raw import FAKE_AUTH

    emulator = Emulator(Config(log_requests=False))
    del emulator.handlers["ListPhoneNumberOrders"]
    response = emulator.handle(
        HttpRequest("GET", "/phone-number-orders", "", {"authorization": FAKE_AUTH})
    )
    assert (response.status, response.headers["x-amzn-errortype"]) == (501, "NotImplemented")
    assert json.loads(response.body) == {
        "Code": "NotImplemented",
        "Message": "ListPhoneNumberOrders is not implemented by chime-local yet",
    }


def test_every_operation_of_the_model_has_a_handler() -> None:
    from chime_local.protocol.api import load_api
    from chime_local.service import HANDLERS

    assert sorted(HANDLERS) == sorted(load_api().operations)


def test_every_response_has_a_request_id_and_json_content_type(server: Any) -> None:
    for method, path in [
        ("GET", "/accounts"),
        ("GET", "/nowhere"),
        ("GET", "/_chime_local/health"),
    ]:
        _, headers, _ = call(server.endpoint_url, method, path)
        uuid.UUID(headers["x-amzn-requestid"], version=4)
        assert headers["content-type"] == "application/json"


def test_204_has_no_body(server: Any) -> None:
    created = json.loads(call(server.endpoint_url, "POST", "/accounts", {"Name": "Gone"})[2])
    status, headers, body = call(
        server.endpoint_url, "DELETE", f"/accounts/{created['Account']['AccountId']}"
    )
    assert (status, body) == (204, b"")
    assert headers["content-type"] == "application/json"


def test_absent_and_empty_bodies_equal_an_empty_object(server: Any) -> None:
    created = json.loads(call(server.endpoint_url, "POST", "/accounts", {"Name": "Body"})[2])
    account_id = created["Account"]["AccountId"]
    for body in (None, b"", b"{}"):
        status, _, payload = call(server.endpoint_url, "POST", f"/accounts/{account_id}", body)
        assert status == 200 and json.loads(payload)["Account"]["Name"] == "Body"
