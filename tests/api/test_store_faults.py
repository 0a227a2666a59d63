"""Faults of the database: PostgreSQL stopped under a running server, and kill -9 of a server
under write load on both engines. Nothing acknowledged is lost; nothing is a 500 or a hang."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chime_local.testing import ServerProcess
from tests.api.raw import call
from tests.postgres import Cluster, server_binaries
from tests.relay import Relay
from tests.support import fresh_tenant, sdk_client

pytestmark = pytest.mark.xdist_group("store-faults")


@pytest.fixture(scope="module")
def own_cluster() -> Iterator[Cluster]:
    """A cluster of this module's own, so stopping it disturbs no other test."""
    if server_binaries() is None:
        reason = "PostgreSQL server binaries not found (needed to stop and start a cluster)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    cluster = Cluster()
    cluster.own = True
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


def health(server: ServerProcess) -> tuple[int, dict[str, Any], float]:
    began = time.monotonic()
    status, _, body = call(server.endpoint_url, "GET", "/_chime_local/health", signed=False)
    return status, json.loads(body), time.monotonic() - began


def wait_until_healthy(server: ServerProcess, within: float) -> None:
    """Until health says the store is ok again, for at most ``within`` seconds."""
    back = time.monotonic()
    while health(server)[1]["StoreStatus"] != "ok":
        assert time.monotonic() - back < within, "health did not see the database come back"
        time.sleep(0.2)


def error_of(action: Any) -> tuple[str, int, float]:
    began = time.monotonic()
    with pytest.raises(ClientError) as caught:
        action()
    response = caught.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        time.monotonic() - began,
    )


def test_postgres_down_is_a_503_health_answers_and_the_server_recovers(
    own_cluster: Cluster,
) -> None:
    url = own_cluster.fresh_database()
    with ServerProcess(db=url, extra_args=("--quiet",)) as server:
        client = sdk_client(server.endpoint_url, fresh_tenant())
        kept = client.create_account(Name="Before outage")["Account"]
        own_cluster.pause()
        try:
            for action in (
                lambda: client.create_account(Name="During outage"),
                lambda: client.get_account(AccountId=kept["AccountId"]),
            ):
                code, status, seconds = error_of(action)
                assert (code, status) == ("ServiceUnavailableException", 503)
                assert seconds < 15
            status, document, seconds = health(server)
            assert (status, document["StoreStatus"]) == (200, "unavailable")
            assert seconds < 3
        finally:
            own_cluster.resume()
        deadline = time.monotonic() + 20
        codes = []
        while True:  # the pool reconnects by itself; no restart of the server
            try:
                client.create_account(Name="After outage")
                break
            except ClientError as error:
                codes.append(error.response["Error"]["Code"])
                if time.monotonic() > deadline:
                    break
                time.sleep(0.5)
        assert set(codes) <= {"ServiceUnavailableException"}
        assert time.monotonic() <= deadline, "the server did not recover"
        assert health(server)[1]["StoreStatus"] == "ok"
        names = {a["Name"] for a in client.list_accounts()["Accounts"]}
        assert names == {"Before outage", "After outage"}
    assert "store unavailable" in "".join(server.output)
    assert "Traceback" not in "".join(server.output)


def test_after_a_long_outage_requests_succeed_within_seconds_and_health_agrees(
    own_cluster: Cluster,
) -> None:
    """Reconnection does not back off for half a minute: once PostgreSQL is back after 16 s
    away, requests succeed again within a few seconds, and health says ok only when they do."""
    url = own_cluster.fresh_database()
    with ServerProcess(db=url, extra_args=("--quiet",)) as server:
        client = sdk_client(server.endpoint_url, fresh_tenant())
        client.create_account(Name="Before outage")
        own_cluster.pause()
        try:
            away = time.monotonic() + 16  # a backing-off pool would next try 15 s later
            while time.monotonic() < away:  # clients keep calling through the outage
                assert error_of(client.list_accounts)[:2] == ("ServiceUnavailableException", 503)
                time.sleep(0.5)
        finally:
            own_cluster.resume()
        back = time.monotonic()
        wait_until_healthy(server, within=6)
        assert [a["Name"] for a in client.list_accounts()["Accounts"]] == ["Before outage"]
        assert time.monotonic() - back < 8


def test_health_sees_the_database_go_and_come_back_with_no_request_between(
    own_cluster: Cluster,
) -> None:
    """The health check's ping finds the database stopped at the first probe (its pooled
    connection lost, no new one within the ping's wait), and finds it back once restarted."""
    url = own_cluster.fresh_database()
    with ServerProcess(db=url, extra_args=("--quiet",)) as server:
        assert health(server)[1]["StoreStatus"] == "ok"
        own_cluster.pause()
        try:
            status, document, seconds = health(server)
            assert (status, document["StoreStatus"]) == (200, "unavailable")
            assert seconds < 2
        finally:
            own_cluster.resume()
        wait_until_healthy(server, within=6)


def test_health_answers_at_once_while_the_database_is_silent(own_cluster: Cluster) -> None:
    """A database that swallows traffic holds its pings; the health check still answers within
    its bound each time (one ping goes on, no second one starts), and once the connections are
    cut the server recovers."""
    url = own_cluster.fresh_database()
    relay = Relay(own_cluster.port)
    through_relay = url.replace(f":{own_cluster.port}/", f":{relay.port}/")
    try:
        with ServerProcess(db=through_relay, extra_args=("--quiet",)) as server:
            client = sdk_client(server.endpoint_url, fresh_tenant())
            client.create_account(Name="Before silence")
            relay.silence()
            for _ in range(3):
                status, _, seconds = health(server)
                assert status == 200 and seconds < 2.5
            relay.cut()
            deadline = time.monotonic() + 15
            while True:
                try:
                    names = [a["Name"] for a in client.list_accounts()["Accounts"]]
                    break
                except ClientError:
                    assert time.monotonic() < deadline, "the server did not recover"
                    time.sleep(0.3)
            assert names == ["Before silence"]
    finally:
        relay.close()


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_kill_9_under_write_load_loses_no_acknowledged_write(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    db: Any = tmp_path / "crash.db"
    if engine == "postgresql":
        db = request.getfixturevalue("own_cluster").fresh_database()
    tenant = fresh_tenant()
    acknowledged: list[str] = []
    server = ServerProcess(db=db, extra_args=("--quiet",)).start()

    def write(worker: int) -> None:
        client = sdk_client(server.endpoint_url, tenant)
        for n in range(10_000):
            try:
                name = client.create_account(Name=f"w{worker}-{n}")["Account"]["Name"]
            except Exception:
                return  # the server is gone
            acknowledged.append(name)

    writers = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    try:
        for writer in writers:
            writer.start()
        deadline = time.monotonic() + 10
        while len(acknowledged) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        server.kill()
        for writer in writers:
            writer.join(30)
    assert len(acknowledged) >= 40
    with ServerProcess(db=db, extra_args=("--quiet",)) as restarted:
        client = sdk_client(restarted.endpoint_url, tenant)
        paginator = client.get_paginator("list_accounts")
        stored = {a["Name"] for page in paginator.paginate() for a in page["Accounts"]}
    assert set(acknowledged) <= stored


def test_connections_cut_under_write_load_acknowledge_only_committed_writes(
    own_cluster: Cluster,
) -> None:
    url = own_cluster.fresh_database()
    relay = Relay(own_cluster.port)
    through_relay = url.replace(f":{own_cluster.port}/", f":{relay.port}/")
    tenant, acknowledged, codes = fresh_tenant(), [], set()
    stop = threading.Event()
    try:
        with ServerProcess(db=through_relay, extra_args=("--quiet",)) as server:

            def write(worker: int) -> None:
                client = sdk_client(server.endpoint_url, tenant)
                n = 0
                while not stop.is_set():
                    n += 1
                    try:
                        name = client.create_account(Name=f"w{worker}-{n}")["Account"]["Name"]
                        acknowledged.append(name)
                    except ClientError as error:
                        codes.add(error.response["Error"]["Code"])

            writers = [threading.Thread(target=write, args=(w,)) for w in range(4)]
            for writer in writers:
                writer.start()
            for _ in range(5):
                time.sleep(0.4)
                relay.cut()
            time.sleep(0.5)
            stop.set()
            for writer in writers:
                writer.join(30)
            client = sdk_client(server.endpoint_url, tenant)
            paginator = client.get_paginator("list_accounts")
            stored = {a["Name"] for page in paginator.paginate() for a in page["Accounts"]}
    finally:
        relay.close()
    assert codes <= {"ServiceUnavailableException"}
    assert "ServiceUnavailableException" in codes  # the cuts did hit requests in flight
    assert len(acknowledged) > 20
    assert set(acknowledged) <= stored
    assert "Traceback" not in "".join(server.output)
