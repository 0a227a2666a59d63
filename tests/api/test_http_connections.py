"""HTTP behaviour under concurrency, pipelining, 100-continue and Connection: close.

Responses are written in batches while several requests are in flight (server.batching); these
tests drive a real server over sockets to show every client still gets its own answer, whole and
in order.
"""

from __future__ import annotations

import json
import socket
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from tests.api.raw import FAKE_AUTH
from tests.support import fresh_tenant, sdk_client


def _address(server: Any) -> tuple[str, int]:
    parts = urlsplit(server.endpoint_url)
    return parts.hostname or "127.0.0.1", parts.port or 80


def _head(method: str, path: str, tenant: str, length: int, extra: str = "") -> bytes:
    """A request head in ``tenant`` (default auth mode: a 12-digit key is its own tenant)."""
    auth = FAKE_AUTH.replace("AKIDEXAMPLE", tenant)
    return (
        f"{method} {path} HTTP/1.1\r\nHost: chime.local\r\nAuthorization: {auth}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {length}\r\n{extra}\r\n"
    ).encode()


def _request(method: str, path: str, tenant: str, body: bytes = b"", extra: str = "") -> bytes:
    return _head(method, path, tenant, len(body), extra) + body


def _read_responses(sock: socket.socket, count: int) -> list[tuple[int, dict[str, str], bytes]]:
    """Read ``count`` HTTP/1.1 responses with Content-Length bodies off one connection."""
    buffer = b""
    responses = []
    while len(responses) < count:
        while b"\r\n\r\n" not in buffer:
            chunk = sock.recv(65536)
            assert chunk, f"connection closed after {len(responses)} responses"
            buffer += chunk
        head, _, buffer = buffer.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
        length = int(headers.get("content-length", "0"))
        while len(buffer) < length:
            chunk = sock.recv(65536)
            assert chunk, "connection closed inside a body"
            buffer += chunk
        body, buffer = buffer[:length], buffer[length:]
        status = int(status_line.split()[1])
        if status != 100:
            responses.append((status, headers, body))
    return responses


def test_many_concurrent_clients_each_get_their_own_answers(server: Any) -> None:
    def work(worker: int) -> list[tuple[str, str]]:
        client = sdk_client(server.endpoint_url)
        account = client.create_account(Name=f"Team {worker}")["Account"]
        seen = []
        for index in range(8):
            email = f"user{index}.w{worker}@example.com"
            user = client.create_user(AccountId=account["AccountId"], Email=email)["User"]
            fetched = client.get_user(AccountId=account["AccountId"], UserId=user["UserId"])
            seen.append((email, fetched["User"]["PrimaryEmail"]))
        return seen

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(work, range(16)))
    assert all(expected == got for worker in results for expected, got in worker)
    assert sum(len(worker) for worker in results) == 16 * 8


def test_pipelined_requests_are_answered_in_order_on_one_connection(server: Any) -> None:
    tenant = fresh_tenant()
    names = [f"Pipelined {index}" for index in range(3)]
    payload = b"".join(
        _request("POST", "/accounts", tenant, json.dumps({"Name": name}).encode()) for name in names
    )
    with socket.create_connection(_address(server), timeout=10) as sock:
        sock.sendall(payload)
        responses = _read_responses(sock, 3)
    assert [status for status, _, _ in responses] == [201, 201, 201]
    assert [json.loads(body)["Account"]["Name"] for _, _, body in responses] == names


def test_a_client_that_expects_100_continue_gets_it_then_the_answer(server: Any) -> None:
    body = json.dumps({"Name": "Continued"}).encode()
    with socket.create_connection(_address(server), timeout=10) as sock:
        sock.sendall(
            _head("POST", "/accounts", fresh_tenant(), len(body), "Expect: 100-continue\r\n")
        )
        interim = sock.recv(65536)
        assert interim.startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(body)
        buffer = interim.partition(b"\r\n\r\n")[2]
        while b"Continued" not in buffer:
            chunk = sock.recv(65536)
            assert chunk
            buffer += chunk
    assert buffer.startswith(b"HTTP/1.1 201")


def test_connection_close_gets_the_whole_answer_then_the_close(server: Any) -> None:
    request = _request("GET", "/accounts", fresh_tenant(), extra="Connection: close\r\n")
    with socket.create_connection(_address(server), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert json.loads(body) == {"Accounts": []}
