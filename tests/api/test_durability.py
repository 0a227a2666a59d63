"""Nothing acknowledged is lost: restarts, and a kill -9 between two writes."""

from __future__ import annotations

from pathlib import Path

from chime_local.testing import ServerProcess
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


def test_kill_9_between_two_writes_keeps_the_first(tmp_path: Path) -> None:
    db, tenant = tmp_path / "crash.db", fresh_tenant()
    first = ServerProcess(db=db, extra_args=("--quiet",)).start()
    try:
        client = sdk_client(first.endpoint_url, tenant)
        account = client.create_account(Name="Before crash")["Account"]
    finally:
        assert first.kill() is not None
    with ServerProcess(db=db, extra_args=("--quiet",)) as second:
        client = sdk_client(second.endpoint_url, tenant)
        assert client.get_account(AccountId=account["AccountId"])["Account"] == account
        second_write = client.create_account(Name="After crash")["Account"]
        names = [a["Name"] for a in client.list_accounts()["Accounts"]]
        assert names == ["Before crash", second_write["Name"]]


def test_in_memory_server_writes_no_file(tmp_path: Path) -> None:
    with ServerProcess(db=None, extra_args=("--quiet",), cwd=tmp_path) as server:
        client = sdk_client(server.endpoint_url, fresh_tenant())
        client.create_account(Name="Ephemeral")
    assert list(tmp_path.iterdir()) == []


def test_default_db_file_is_created_in_the_working_directory(tmp_path: Path) -> None:
    with ServerProcess(extra_args=("--quiet",), cwd=tmp_path, storage=()) as server:
        sdk_client(server.endpoint_url, fresh_tenant()).create_account(Name="Default file")
    assert (tmp_path / "chime-local.db").exists()


def test_workers_share_one_database_and_stop_cleanly(tmp_path: Path) -> None:
    tenant = fresh_tenant()
    server = ServerProcess(
        db=tmp_path / "workers.db", extra_args=("--quiet", "--workers", "2")
    ).start()
    try:
        client = sdk_client(server.endpoint_url, tenant)
        created = [
            client.create_account(Name=f"Worker {i}")["Account"]["AccountId"] for i in range(20)
        ]
        for account_id in created:  # reads land on either worker and all see every write
            assert client.get_account(AccountId=account_id)["Account"]["AccountId"] == account_id
        assert len(client.list_accounts()["Accounts"]) == 20
    finally:
        assert server.stop() == 0


def test_workers_refuse_in_memory_state() -> None:
    from tests.support import cli

    result = cli("serve", "--in-memory", "--workers", "2", "--port", "0")
    assert result.returncode == 2
    assert "--db" in result.stderr
