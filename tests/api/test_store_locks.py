"""SQLite's engine faults, end to end: another process's write lock never holds up other
clients and ends in a 503, a full disk is a 503, concurrent starts on a new file all succeed,
and a database of a newer chime-local is refused in one line."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from chime_local.config import Config
from chime_local.store.migrations import SQLITE_MIGRATIONS, run_migrations
from chime_local.store.sqlite import SqliteStore
from chime_local.testing import ServerProcess
from chime_local.testing.inprocess import MockChime
from tests.api.raw import call
from tests.support import fresh_tenant, sdk_client


def hold_write_lock(path: Path) -> sqlite3.Connection:
    """Another process's writer, as SQLite sees it: a connection inside BEGIN IMMEDIATE."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_a_write_waiting_for_the_lock_does_not_hold_up_other_clients(tmp_path: Path) -> None:
    db, tenant = tmp_path / "locked.db", fresh_tenant()
    with ServerProcess(db=db, extra_args=("--quiet",)) as server:
        client = sdk_client(server.endpoint_url, tenant)
        kept = client.create_account(Name="Before")["Account"]
        other = hold_write_lock(db)
        outcome: dict[str, Any] = {}

        def write() -> None:
            outcome["account"] = client.create_account(Name="Waited")["Account"]

        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(0.3)  # the write is now waiting for the lock
        reader = sdk_client(server.endpoint_url, tenant)
        latencies = []
        for _ in range(5):
            began = time.monotonic()
            assert reader.get_account(AccountId=kept["AccountId"])["Account"]["Name"] == "Before"
            latencies.append(time.monotonic() - began)
        assert writer.is_alive()
        other.rollback()
        writer.join(15)
        assert outcome["account"]["Name"] == "Waited"
        assert max(latencies) < 1.0, latencies  # not the lock wait


def _in_process_client() -> Any:
    return boto3.client(
        "chime",
        region_name="us-east-1",
        aws_access_key_id=fresh_tenant(),
        aws_secret_access_key="x",
    )


def test_a_lock_held_past_the_wait_is_a_503_and_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "held.db"
    config = Config(db_path=str(db), lock_wait_seconds=0.3, log_requests=False)
    with MockChime(config=config):
        client = _in_process_client()
        other = hold_write_lock(db)
        try:
            with pytest.raises(ClientError) as caught:
                client.create_account(Name="Never")
        finally:
            other.rollback()
        error = caught.value.response
        assert error["Error"]["Code"] == "ServiceUnavailableException"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 503
        assert client.list_accounts()["Accounts"] == []


def test_a_full_disk_is_a_503_and_keeps_what_was_acknowledged(tmp_path: Path) -> None:
    config = Config(db_path=str(tmp_path / "full.db"), log_requests=False)
    with MockChime(config=config) as emulator:
        client = _in_process_client()
        client.create_account(Name="First")
        pages = emulator.store._db.execute("PRAGMA page_count").fetchone()[0]
        emulator.store._db.execute(f"PRAGMA max_page_count = {pages + 1}")
        acknowledged, codes = ["First"], set()
        for n in range(200):
            try:
                client.create_account(Name=f"Team {n} " + "x" * 80)
                acknowledged.append(f"Team {n} " + "x" * 80)
            except ClientError as error:
                codes.add(
                    (
                        error.response["Error"]["Code"],
                        error.response["ResponseMetadata"]["HTTPStatusCode"],
                    )
                )
        assert codes == {("ServiceUnavailableException", 503)}
        listed = {a["Name"] for a in client.list_accounts(MaxResults=200)["Accounts"]}
        assert listed == set(acknowledged)


def test_servers_starting_at_once_on_a_new_file_all_start(tmp_path: Path) -> None:
    opener = "import sys; from chime_local.store.sqlite import SqliteStore; SqliteStore(sys.argv[1]).close()"
    for trial in range(5):
        db = tmp_path / f"new-{trial}.db"
        starts = [
            subprocess.Popen(
                [sys.executable, "-c", opener, str(db)], stderr=subprocess.PIPE, text=True
            )
            for _ in range(4)
        ]
        failures = [p.communicate(timeout=60)[1] for p in starts if p.wait(60) != 0]
        assert failures == []
        assert SqliteStore(db).migrations_applied() == [name for name, _ in SQLITE_MIGRATIONS]


def test_a_database_of_a_newer_version_refuses_to_start_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "newer.db"
    store = SqliteStore(db)
    run_migrations(store, (*SQLITE_MIGRATIONS, ("9999_from_the_future", "CREATE TABLE f (x)")))
    store.close()
    assert_refused_in_one_line(db, "9999_from_the_future")


def test_a_file_that_is_not_a_database_refuses_to_start_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "notes.db"
    db.write_text("just some notes, not a database\n" * 200)
    assert_refused_in_one_line(db, "is not a SQLite database")


def assert_refused_in_one_line(db: Path, phrase: str) -> None:
    """``serve --db db`` does not start: status 4 (a --db that cannot be used), one line."""
    server = ServerProcess(db=db, extra_args=("--quiet",), startup_timeout=20)
    with pytest.raises(RuntimeError, match="did not start"):
        server.start()
    assert server.stop() == 4  # the CLI's status for a --db that cannot be used
    lines = [line for line in server.output if line.strip()]
    assert len(lines) == 1 and phrase in lines[0], lines


def test_rate_limited_writes_wait_for_the_lock_off_the_event_loop(tmp_path: Path) -> None:
    """The rate bucket is a write too: with --rate-limit, a request that must wait for another
    process's lock waits on a thread, and the server goes on answering meanwhile."""
    db, tenant = tmp_path / "limited.db", fresh_tenant()
    with ServerProcess(db=db, extra_args=("--quiet", "--rate-limit", "1000")) as server:
        client = sdk_client(server.endpoint_url, tenant)
        client.create_account(Name="Before")
        other = hold_write_lock(db)
        outcome: dict[str, Any] = {}
        writer = threading.Thread(
            target=lambda: outcome.update(client.create_account(Name="Waited"))
        )
        writer.start()
        time.sleep(0.3)
        began = time.monotonic()
        status, _, _ = call(server.endpoint_url, "GET", "/_chime_local/health", signed=False)
        answered_in = time.monotonic() - began
        assert writer.is_alive()
        other.rollback()
        writer.join(15)
        assert status == 200 and answered_in < 1.0
        assert outcome["Account"]["Name"] == "Waited"
