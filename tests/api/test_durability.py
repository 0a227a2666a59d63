"""Nothing acknowledged is lost: restarts, and a kill -9 between two writes."""

from __future__ import annotations

import http.client
import json
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, ClientError

from chime_local.testing import ServerProcess
from tests.api.signing import sign
from tests.support import fresh_tenant, sdk_client


def test_state_survives_a_clean_restart(tmp_path: Path) -> None:
    db, tenant = tmp_path / "state.db", fresh_tenant()
    with ServerProcess(db=db, extra_args=("--quiet",)) as first:
        client = sdk_client(first.endpoint_url, tenant)
        account = client.create_account(Name="Durable")["Account"]
        user = client.create_user(AccountId=account["AccountId"], Email="d@example.com")["User"]
    assert not first.running
    with ServerProcess(db=db, extra_args=("--quiet",)) as second:
        client = sdk_client(second.endpoint_url, tenant)
        assert (
            client.get_user(AccountId=account["AccountId"], UserId=user["UserId"])["User"] == user
        )


def test_kill_9_between_two_writes_keeps_every_acknowledged_one(tmp_path: Path) -> None:
    """A client writes without pause; kill -9 lands between two writes (or inside one). Every
    acknowledged write is there after the restart; only the one in flight may be missing."""
    db, tenant = tmp_path / "crash.db", fresh_tenant()
    first = ServerProcess(db=db, extra_args=("--quiet",)).start()
    acknowledged: list[str] = []
    in_flight: list[str] = []
    enough = threading.Event()

    def write_until_killed() -> None:
        client = sdk_client(first.endpoint_url, tenant)
        for i in range(10_000):
            in_flight[:] = [f"Write {i}"]
            try:
                client.create_account(Name=in_flight[0])
            except (BotoCoreError, ClientError):
                return
            acknowledged.append(in_flight[0])
            if len(acknowledged) >= 5:
                enough.set()

    writer = threading.Thread(target=write_until_killed)
    writer.start()
    try:
        assert enough.wait(30), "the writer never got going"
    finally:
        assert first.kill() is not None
        writer.join(30)
    assert not writer.is_alive() and len(acknowledged) >= 5
    with ServerProcess(db=db, extra_args=("--quiet",)) as second:
        client = sdk_client(second.endpoint_url, tenant)
        pages = client.get_paginator("list_accounts").paginate()
        names = {account["Name"] for page in pages for account in page["Accounts"]}
    assert set(acknowledged) <= names <= set(acknowledged) | set(in_flight)


def test_in_memory_server_writes_no_file(tmp_path: Path) -> None:
    with ServerProcess(db=None, extra_args=("--quiet",), cwd=tmp_path) as server:
        client = sdk_client(server.endpoint_url, fresh_tenant())
        client.create_account(Name="Ephemeral")
    assert list(tmp_path.iterdir()) == []


def test_default_db_file_is_created_in_the_working_directory(tmp_path: Path) -> None:
    with ServerProcess(extra_args=("--quiet",), cwd=tmp_path, storage=()) as server:
        sdk_client(server.endpoint_url, fresh_tenant()).create_account(Name="Default file")
    assert (tmp_path / "chime-local.db").exists()


def connections_by_worker(endpoint_url: str) -> dict[int, http.client.HTTPConnection]:
    """One kept-alive connection to each worker, told apart by the process id health names.

    Connections are opened all at once, a batch at a time, so the kernel hands them to whichever
    worker accepts; a batch rarely lands on one worker only, and ten never all do."""
    parts = urlsplit(endpoint_url)
    found: dict[int, http.client.HTTPConnection] = {}
    for _ in range(10):
        batch = [
            http.client.HTTPConnection(parts.hostname, parts.port, timeout=10) for _ in range(8)
        ]
        for connection in batch:
            connection.connect()
        for connection in batch:
            connection.request("GET", "/_chime_local/health")
            pid = json.loads(connection.getresponse().read())["ProcessId"]
            if pid in found:
                connection.close()
            else:
                found[pid] = connection
        if len(found) == 2:
            return found
    raise AssertionError(f"only workers {sorted(found)} ever answered")


def chime_call(
    connection: http.client.HTTPConnection, tenant: str, method: str, path: str, body: Any
) -> Any:
    payload = json.dumps(body).encode() if body is not None else b""
    endpoint = f"http://{connection.host}:{connection.port}"
    connection.request(method, path, payload, sign(method, endpoint, path, payload, tenant, "s"))
    response = connection.getresponse()
    document = json.loads(response.read())
    assert response.status < 300, document
    return document


def test_workers_share_one_database_and_stop_cleanly(tmp_path: Path) -> None:
    tenant = fresh_tenant()
    server = ServerProcess(
        db=tmp_path / "workers.db", extra_args=("--quiet", "--workers", "2")
    ).start()
    try:
        workers = connections_by_worker(server.endpoint_url)
        (one, first), (other, second) = sorted(workers.items())
        written = [
            chime_call(conn, tenant, "POST", "/accounts", {"Name": f"By {pid}"})["Account"]
            for pid, conn in ((one, first), (other, second))
        ]
        for account, reader in zip(written, (second, first), strict=True):  # read on the other
            path = f"/accounts/{account['AccountId']}"
            assert chime_call(reader, tenant, "GET", path, None)["Account"] == account
        listed = chime_call(first, tenant, "GET", "/accounts", None)["Accounts"]
        assert sorted(a["Name"] for a in listed) == sorted(f"By {pid}" for pid in (one, other))
        for connection in workers.values():
            connection.close()
    finally:
        assert server.stop() == 0


def test_workers_refuse_in_memory_state() -> None:
    from tests.support import cli

    result = cli("serve", "--in-memory", "--workers", "2", "--port", "0")
    assert result.returncode == 2
    assert "--db" in result.stderr
