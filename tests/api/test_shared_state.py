"""Server state shared by the workers of ``serve --workers 2`` on one SQLite file, and (the
checks through a pair of workers) on one PostgreSQL database.

Each check talks to a chosen worker: a keep-alive connection stays with the worker that accepted
it, and ``GET /_chime_local/health`` on it names that worker's process id. An admin change made
through one worker must be seen by the next request on the other.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from chime_local.testing import ServerProcess
from tests.api.raw import FAKE_AUTH
from tests.conftest import ENGINES, fresh_database
from tests.support import fresh_tenant


class Worker:
    """A keep-alive connection to one worker process of a server."""

    def __init__(self, connection: http.client.HTTPConnection, pid: int) -> None:
        self.connection = connection
        self.pid = pid

    def call(
        self, method: str, path: str, body: Any = None, access_key: str | None = None
    ) -> tuple[int, dict[str, str], Any]:
        headers = {"Content-Type": "application/json"}
        if not path.startswith("/_chime_local/"):
            headers["Authorization"] = FAKE_AUTH.replace("AKIDEXAMPLE", access_key or "AKIDX")
        data = json.dumps(body).encode() if body is not None else None
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        payload = response.read()
        answered = {name.lower(): value for name, value in response.getheaders()}
        return response.status, answered, json.loads(payload) if payload else None

    def admin(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        status, _, document = self.call(method, f"/_chime_local/{path}", body)
        return status, document


def connect(server: ServerProcess, avoid: int | None = None, attempts: int = 200) -> Worker:
    """A connection to a worker of ``server``, another than process ``avoid`` if given."""
    parts = urlsplit(server.endpoint_url)
    for _ in range(attempts):
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        worker = Worker(connection, 0)
        worker.pid = worker.admin("GET", "health")[1]["ProcessId"]
        if worker.pid != avoid:
            return worker
        connection.close()
    raise AssertionError(f"no worker other than {avoid} answered in {attempts} connections")


@pytest.fixture(scope="module", params=ENGINES)
def two_workers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """``serve --workers 2`` on one SQLite file, or on one PostgreSQL database."""
    db = fresh_database(request, tmp_path_factory)
    with ServerProcess(db=db, extra_args=("--quiet", "--workers", "2")) as server:
        yield server


@pytest.fixture
def pair(two_workers: ServerProcess) -> Iterator[tuple[Worker, Worker]]:
    """Connections to each of the two workers, on a freshly reset server."""
    first = connect(two_workers)
    second = connect(two_workers, avoid=first.pid)
    assert first.admin("POST", "reset")[0] == 200
    yield first, second
    first.connection.close()
    second.connection.close()


def create_account(worker: Worker, name: str, key: str) -> tuple[int, Any]:
    status, _, document = worker.call("POST", "/accounts", {"Name": name}, key)
    return status, document


def test_a_clock_change_through_one_worker_is_seen_by_the_other(
    pair: tuple[Worker, Worker],
) -> None:
    first, second = pair
    assert first.admin("PUT", "clock", {"Now": "2030-01-02T03:04:05Z"})[0] == 200
    assert second.admin("GET", "clock")[1] == {
        "Now": "2030-01-02T03:04:05.000Z",
        "WallClock": False,
    }
    status, created = create_account(second, "Future", fresh_tenant())
    assert status == 201
    assert created["Account"]["CreatedTimestamp"] == "2030-01-02T03:04:05.000Z"
    second.admin("PUT", "clock", {"Advance": 60})
    status, created = create_account(first, "Later", fresh_tenant())
    assert created["Account"]["CreatedTimestamp"] == "2030-01-02T03:05:05.000Z"
    second.admin("DELETE", "clock")
    assert first.admin("GET", "clock")[1]["WallClock"] is True


def test_a_count_fault_fires_count_times_in_total_over_both_workers(
    pair: tuple[Worker, Worker],
) -> None:
    first, second = pair
    key = fresh_tenant()
    rule = {"Operation": "ListAccounts", "Error": "ServiceUnavailableException", "Count": 3}
    assert first.admin("POST", "faults", rule | {"AccessKeyId": key})[0] == 201
    statuses = [
        worker.call("GET", "/accounts", access_key=key)[0]
        for worker in (second, first, second, first, second)
    ]
    assert statuses == [503, 503, 503, 200, 200]
    assert second.admin("GET", "faults")[1] == {"Faults": []}


def test_fault_rules_added_and_cleared_through_either_worker(
    pair: tuple[Worker, Worker],
) -> None:
    first, second = pair
    key = fresh_tenant()
    rule = {"Operation": "*", "Error": "ForbiddenException", "Probability": 1, "AccessKeyId": key}
    first.admin("POST", "faults", rule)
    assert second.call("GET", "/accounts", access_key=key)[0] == 403
    assert second.admin("GET", "faults")[1]["Faults"][0]["Fired"] == 1
    second.admin("DELETE", "faults")
    assert first.call("GET", "/accounts", access_key=key)[0] == 200


def test_a_reset_through_one_worker_is_seen_by_the_other(pair: tuple[Worker, Worker]) -> None:
    first, second = pair
    key = fresh_tenant()
    create_account(first, "Gone after reset", key)
    second.admin("PUT", "clock", {"Advance": 3600})
    second.admin(
        "POST", "faults", {"Operation": "GetUser", "Error": "NotFoundException", "Count": 9}
    )
    assert first.admin("POST", "reset")[0] == 200
    assert second.call("GET", "/accounts", access_key=key)[2] == {"Accounts": []}
    assert second.admin("GET", "clock")[1]["WallClock"] is True
    assert second.admin("GET", "faults")[1] == {"Faults": []}
    assert [entry["Operation"] for entry in second.admin("GET", "requests")[1]["Requests"]] == [
        "ListAccounts"
    ]


def test_the_request_log_shows_the_calls_of_both_workers(pair: tuple[Worker, Worker]) -> None:
    first, second = pair
    request_ids = []
    for worker in (first, second, first, second):
        status, headers, _ = worker.call("GET", "/accounts", access_key=fresh_tenant())
        assert status == 200
        request_ids.append(headers["x-amzn-requestid"])
    for reader in (first, second):
        logged = reader.admin("GET", "requests?limit=10")[1]["Requests"]
        assert [entry["RequestId"] for entry in logged] == request_ids[::-1]


def test_a_rate_limit_holds_across_workers_within_ten_percent(tmp_path: Path) -> None:
    per_second, key = 20, fresh_tenant()  # far below what the client can ask for
    with ServerProcess(
        db=tmp_path / "limited.db",
        extra_args=("--quiet", "--workers", "2", "--rate-limit", str(per_second)),
    ) as server:
        first = connect(server)
        second = connect(server, avoid=first.pid)
        granted, began = 0, time.monotonic()
        while time.monotonic() - began < 2.0:
            for worker in (first, second):
                granted += worker.call("GET", "/accounts", access_key=key)[0] == 200
        elapsed = time.monotonic() - began
        first.connection.close()
        second.connection.close()
    allowed = per_second + per_second * elapsed  # the burst, then the refill
    assert allowed * 0.9 <= granted <= allowed * 1.1, (granted, allowed)


def test_fault_options_are_added_once_for_all_workers(tmp_path: Path) -> None:
    option = "ListAccounts=ServiceUnavailableException:x2"
    with ServerProcess(
        db=tmp_path / "faults.db", extra_args=("--quiet", "--workers", "2", "--fault", option)
    ) as server:
        first = connect(server)
        second = connect(server, avoid=first.pid)
        rules = first.admin("GET", "faults")[1]["Faults"]
        statuses = [worker.call("GET", "/accounts")[0] for worker in (first, second, first)]
        first.connection.close()
        second.connection.close()
    assert [rule["Remaining"] for rule in rules] == [2]
    assert statuses == [503, 503, 200]
