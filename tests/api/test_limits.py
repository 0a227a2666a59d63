"""Limits of the HTTP server: slow and idle connections closed, oversized requests refused,
connections beyond the limit answered 503, all with the modeled error where a request was read.

The server runs with short timeouts and a small connection limit (``serve`` with its own
``Config``) so every case takes a second or two.
"""

from __future__ import annotations

import json
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from chime_local.testing import ServerProcess
from tests.api.test_http_connections import _address, _head, _read_responses, _request
from tests.support import fresh_tenant

READ_TIMEOUT = 1.0
IDLE_TIMEOUT = 1
MAX_CONNECTIONS = 4
MAX_BODY = 64 * 1024
SERVE_WITH_LIMITS = (
    "from chime_local.config import Config\n"
    "from chime_local.server.serve import serve\n"
    f"serve(Config(log_requests=False, request_read_timeout={READ_TIMEOUT}, "
    f"idle_timeout={IDLE_TIMEOUT}, max_connections={MAX_CONNECTIONS}, "
    f"max_body_bytes={MAX_BODY}, max_admin_body_bytes={2 * MAX_BODY}), port=0)\n"
)


class LimitedServer(ServerProcess):
    def command(self) -> list[str]:
        return [sys.executable, "-c", SERVE_WITH_LIMITS]


@pytest.fixture(scope="module")
def limited() -> Iterator[ServerProcess]:
    with LimitedServer() as server:
        yield server


def connect(server: ServerProcess) -> socket.socket:
    sock = socket.create_connection(_address(server), timeout=10)
    return sock


def seconds_until_closed(sock: socket.socket, trickle: bytes = b"") -> float:
    """Seconds until the server closes ``sock``, sending ``trickle`` a byte at a time meanwhile."""
    began = time.monotonic()
    sock.settimeout(0.2)
    for byte in trickle:
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            break
        try:
            if sock.recv(65536) == b"":
                return time.monotonic() - began
        except TimeoutError:
            continue
        except OSError:
            return time.monotonic() - began
    sock.settimeout(10)
    while True:
        try:
            if sock.recv(65536) == b"":
                break
        except OSError:
            break
    return time.monotonic() - began


def get_user_request(tenant: str) -> bytes:
    return _request("GET", "/accounts/a/users/u", tenant)


def test_a_slowloris_client_is_closed_after_the_read_timeout(limited: ServerProcess) -> None:
    with connect(limited) as sock:
        sock.sendall(b"GET /_chime_local/health HTTP/1.1\r\nHost: x\r\n")
        # one header byte every 0.2 s: never a complete head, always some traffic
        elapsed = seconds_until_closed(sock, b"X-Slow: " + b"a" * 100)
    assert READ_TIMEOUT * 0.8 <= elapsed < READ_TIMEOUT + 2


def test_a_silent_connection_is_closed_after_the_read_timeout(limited: ServerProcess) -> None:
    with connect(limited) as sock:
        elapsed = seconds_until_closed(sock)
    assert READ_TIMEOUT * 0.8 <= elapsed < READ_TIMEOUT + 2


def test_a_slow_body_is_closed_after_the_read_timeout(limited: ServerProcess) -> None:
    with connect(limited) as sock:
        sock.sendall(_head("POST", "/accounts", fresh_tenant(), 100))
        elapsed = seconds_until_closed(sock, b'{"Name": "' + b"a" * 80)
    assert READ_TIMEOUT * 0.8 <= elapsed < READ_TIMEOUT + 2


def test_an_idle_kept_alive_connection_is_closed(limited: ServerProcess) -> None:
    with connect(limited) as sock:
        sock.sendall(get_user_request(fresh_tenant()))
        [(status, _, _)] = _read_responses(sock, 1)
        assert status == 404
        elapsed = seconds_until_closed(sock)
    assert IDLE_TIMEOUT * 0.8 <= elapsed < IDLE_TIMEOUT + 2


def test_a_body_over_the_limit_is_refused_unread(limited: ServerProcess) -> None:
    with connect(limited) as sock:
        sock.sendall(_head("POST", "/accounts", fresh_tenant(), MAX_BODY + 1))
        [(status, headers, body)] = _read_responses(sock, 1)
        assert seconds_until_closed(sock) < 2
    assert (status, headers["x-amzn-errortype"]) == (413, "BadRequestException")
    assert headers["connection"] == "close"
    assert json.loads(body) == {
        "Code": "BadRequest",
        "Message": f"The request body is larger than {MAX_BODY} bytes",
    }


def test_a_chunked_body_over_the_limit_is_refused(limited: ServerProcess) -> None:
    chunk = b"a" * 16384
    with connect(limited) as sock:
        head = _head("POST", "/accounts", fresh_tenant(), 0).replace(
            b"Content-Length: 0", b"Transfer-Encoding: chunked"
        )
        sock.sendall(head)
        for _ in range(MAX_BODY // len(chunk) + 1):
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        [(status, headers, _)] = _read_responses(sock, 1)
    assert (status, headers["x-amzn-errortype"]) == (413, "BadRequestException")


def test_a_body_under_the_limit_is_served(limited: ServerProcess) -> None:
    body = json.dumps({"Name": "x" * (MAX_BODY // 2)}).encode()
    with connect(limited) as sock:
        sock.sendall(_request("POST", "/accounts", fresh_tenant(), body))
        [(status, headers, _)] = _read_responses(sock, 1)
    assert (status, headers["x-amzn-errortype"]) == (400, "BadRequestException")  # too long a name


def test_a_head_over_the_limit_is_refused(limited: ServerProcess) -> None:
    with connect(limited) as sock:
        sock.sendall(b"GET /_chime_local/health HTTP/1.1\r\nHost: x\r\n")
        try:
            for _ in range(200):  # 200 x 1 KiB of one header, well past the 64 KiB limit
                sock.sendall(b"X-Big: " + b"a" * 1017 + b"\r\n")
        except OSError:
            pass  # closed by the server while sending: refused
        [(status, headers, body)] = _read_responses(sock, 1)
    assert (status, headers["x-amzn-errortype"]) == (431, "BadRequestException")
    assert json.loads(body)["Message"] == "The request head is larger than 65536 bytes"


@pytest.mark.parametrize(("headers", "status"), [(80, 431), (50, 200)])
def test_a_head_in_one_piece_is_measured(limited: ServerProcess, headers: int, status: int) -> None:
    """80 or 50 headers of a kilobyte each, sent at once: over and under the 64 KiB limit."""
    extra = "".join(f"X-Header-{i}: {'a' * 1000}\r\n" for i in range(headers))
    with connect(limited) as sock:
        sock.sendall(_request("GET", "/accounts", fresh_tenant(), extra=extra))
        [(answered, response_headers, body)] = _read_responses(sock, 1)
    assert answered == status
    if status == 431:
        assert response_headers["x-amzn-errortype"] == "BadRequestException"
        assert json.loads(body)["Code"] == "BadRequest"
    else:
        assert json.loads(body) == {"Accounts": []}


def test_connections_over_the_limit_get_a_modeled_503(limited: ServerProcess) -> None:
    tenant = fresh_tenant()
    with ExitStack() as held:
        for _ in range(MAX_CONNECTIONS):  # the limit, each served once and kept alive
            sock = held.enter_context(connect(limited))
            sock.sendall(get_user_request(tenant))
            assert _read_responses(sock, 1)[0][0] == 404
        extra = held.enter_context(connect(limited))
        extra.sendall(get_user_request(tenant))
        [(status, headers, body)] = _read_responses(extra, 1)
        assert (status, headers["x-amzn-errortype"]) == (503, "ServiceUnavailableException")
        assert json.loads(body)["Code"] == "ServiceUnavailable"
        assert headers["connection"] == "close"
    statuses = []
    for _ in range(20):  # the others closed: served again once the server has seen them go
        with connect(limited) as sock:
            sock.sendall(get_user_request(tenant))
            statuses.append(_read_responses(sock, 1)[0][0])
        if statuses[-1] == 404:
            break
        time.sleep(0.1)
    assert statuses[-1] == 404, statuses


def test_a_megabyte_invalid_name_is_echoed_cut_short(client: Any) -> None:
    with pytest.raises(client.exceptions.BadRequestException) as caught:
        client.create_account(Name="n" * (1 << 20))
    message = caught.value.response["Error"]["Message"]
    assert f"... ({1 << 20} characters)' at 'Name'" in message
    assert len(message) < 1000
