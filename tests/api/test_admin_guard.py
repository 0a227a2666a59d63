"""The admin API refuses bad input with JSON 400s, and callers that are not the user's scripts.

A web page in the user's browser must not reach the loopback admin API: another ``Host`` (DNS
rebinding), another ``Origin``, or a state change with a content type a form can send is refused.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from chime_local.testing import ServerProcess
from tests.api.admin_calls import admin
from tests.api.raw import call


def raw_admin(
    server: ServerProcess, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> tuple[int, Any]:
    status, response_headers, payload = call(
        server.endpoint_url, method, f"/_chime_local/{path}", body or None, headers, signed=False
    )
    assert response_headers["content-type"] == "application/json"
    return status, json.loads(payload)


def netloc(server: ServerProcess) -> str:
    return urlsplit(server.endpoint_url).netloc


@pytest.mark.parametrize("limit", ["²", "٣", "0", "1001", "-1", "1e3"])
def test_a_limit_that_is_not_a_whole_number_in_range_is_a_400(
    server: ServerProcess, limit: str
) -> None:
    status, document = admin(server, "GET", f"requests?limit={quote(limit)}")
    assert status == 400
    assert document["Message"] == "limit: must be a whole number from 1 to 1000"


@pytest.mark.parametrize("advance", [1e300, 3e11, -1e11, 10**30])
def test_a_clock_advance_out_of_range_is_a_400_and_stores_nothing(
    server: ServerProcess, client: Any, advance: float
) -> None:
    status, document = admin(server, "PUT", "clock", {"Advance": advance})
    assert status == 400
    assert document["Message"] == "Advance: the clock must stay between 1970-01-01 and 9000-01-01"
    assert admin(server, "GET", "clock")[1]["WallClock"] is True
    assert client.list_accounts()["Accounts"] == []  # Chime requests still answer


def test_a_clock_set_out_of_range_is_a_400(server: ServerProcess) -> None:
    status, document = admin(server, "PUT", "clock", {"Now": "9999-12-31T00:00:00Z"})
    assert status == 400 and document["Message"].startswith("Now: the clock must stay")
    assert admin(server, "GET", "clock")[1]["WallClock"] is True


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1:1"])
def test_another_host_is_refused(server: ServerProcess, host: str) -> None:
    port = str(urlsplit(server.endpoint_url).port)
    status, document = raw_admin(server, "GET", "health", {"Host": host.format(port=port)})
    assert status == 403
    assert "is not an address of this server" in document["Message"]


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "[::1]"])
def test_every_loopback_name_of_the_served_port_is_answered(
    server: ServerProcess, name: str
) -> None:
    port = urlsplit(server.endpoint_url).port
    status, document = raw_admin(server, "GET", "health", {"Host": f"{name}:{port}"})
    assert (status, document["Status"]) == (200, "ok")


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "text/plain"},
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "multipart/form-data; boundary=x"},
        {"Content-Type": "application/json", "Origin": "http://evil.example"},
        {"Content-Type": "application/json", "Origin": "null"},
    ],
)
def test_a_cross_site_state_change_is_refused_and_changes_nothing(
    server: ServerProcess, headers: dict[str, str]
) -> None:
    body = json.dumps({"Operation": "GetUser", "Error": "NotFoundException", "Count": 1}).encode()
    status, document = raw_admin(server, "POST", "faults", headers, body)
    assert status == 403, document
    assert admin(server, "GET", "faults")[1]["Faults"] == []


def test_a_script_may_change_state_with_json_or_the_custom_header(server: ServerProcess) -> None:
    same_origin = {"Content-Type": "application/json", "Origin": f"http://{netloc(server)}"}
    rule = {"Operation": "GetUser", "Error": "NotFoundException", "Count": 1}
    status, _ = raw_admin(server, "POST", "faults", same_origin, json.dumps(rule).encode())
    assert status == 201
    status, document = raw_admin(server, "DELETE", "faults", {"X-Chime-Local": "1"})
    assert (status, document) == (200, {"Faults": []})


def test_reads_need_no_header(server: ServerProcess) -> None:
    status, document = raw_admin(server, "GET", "faults", {"Content-Type": "text/plain"})
    assert (status, document) == (200, {"Faults": []})
