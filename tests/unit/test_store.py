"""The store's contract, on both engines, through the store's own verbs: migrations, transactions,
pagination, uniqueness, persistence, concurrent starts, and (SQLite) lock waits and index use."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from chime_local.store import (
    DrawnKeyTaken,
    DuplicateKey,
    Store,
    StoreBusy,
    StoreUnavailable,
    open_store,
)
from chime_local.store.migrations import (
    POSTGRES_MIGRATIONS,
    SQLITE_MIGRATIONS,
    SchemaTooNew,
    run_migrations,
)
from chime_local.store.sqlite import SqliteStore

TENANT = "111122223333"


def account(n: int, tenant: str = TENANT) -> dict[str, object]:
    return {"AccountId": f"acc-{n}", "Name": f"Team {n}", "AwsAccountId": tenant}


def user(n: int, account_id: str = "acc-1", pin: str | None = None) -> dict[str, object]:
    return {
        "UserId": f"user-{n}",
        "AccountId": account_id,
        "PrimaryEmail": f"User{n}@Example.com",
        "PersonalPIN": pin,
        "UserType": "PrivateUser",
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a store lives: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgres_url")
        return url
    return str(tmp_path / "store.db")


@pytest.fixture
def store(target: str) -> Iterator[Store]:
    opened = open_store(target)
    yield opened
    opened.close()


def test_migrations_apply_once_in_order(target: str) -> None:
    open_store(target).close()
    store = open_store(target)
    expected = SQLITE_MIGRATIONS if store.engine == "sqlite" else POSTGRES_MIGRATIONS
    assert store.migrations_applied() == [name for name, _ in expected]
    store.close()


def test_a_database_of_a_newer_version_is_refused(target: str) -> None:
    store = open_store(target)
    known = SQLITE_MIGRATIONS if store.engine == "sqlite" else POSTGRES_MIGRATIONS
    run_migrations(store, (*known, ("9999_from_the_future", "CREATE TABLE future (x TEXT)")))  # type: ignore[arg-type]
    store.close()
    with pytest.raises(SchemaTooNew, match="9999_from_the_future"):
        open_store(target)


def test_concurrent_starts_on_a_new_database_all_succeed(target: str) -> None:
    def start(_: int) -> list[str]:
        opened = open_store(target)
        try:
            return opened.migrations_applied()
        finally:
            opened.close()

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(start, range(8)))
    assert all(result == results[0] and len(result) == len(SQLITE_MIGRATIONS) for result in results)


def test_writes_serialized_on_one_tenant_run_one_after_another(target: str) -> None:
    first, second = open_store(target), open_store(target)
    order: list[str] = []
    inside = threading.Event()

    def write(store: Store, name: str) -> None:
        with store.transaction(serialize_on=TENANT):
            store.account_exists("acc-1")  # the first statement takes the lock (PostgreSQL)
            order.append(f"{name} in")
            inside.set()
            time.sleep(0.3)
            order.append(f"{name} out")

    one = threading.Thread(target=write, args=(first, "one"))
    one.start()
    inside.wait(10)
    write(second, "two")
    one.join(10)
    assert order == ["one in", "one out", "two in", "two out"]
    first.close()
    second.close()


def test_a_failed_transaction_changes_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.insert_account(TENANT, account(1), {})
        raise RuntimeError("boom")
    assert store.get_account(TENANT, "acc-1") is None


def test_accounts_are_tenant_scoped_and_paged_by_insertion_order(store: Store) -> None:
    with store.transaction():
        for n in range(5):
            store.insert_account(TENANT, account(n), {})
        store.insert_account("999988887777", account(9, "999988887777"), {})
    assert store.get_account("999988887777", "acc-1") is None
    first = store.list_accounts(TENANT, after=0, limit=2)
    assert [a["AccountId"] for a in first.items] == ["acc-0", "acc-1"]
    assert first.last_seq is not None
    rest = store.list_accounts(TENANT, after=first.last_seq, limit=10)
    assert [a["AccountId"] for a in rest.items] == ["acc-2", "acc-3", "acc-4"]
    assert rest.last_seq is None


def test_users_by_email_case_insensitively_and_pins_unique(store: Store) -> None:
    with store.transaction():
        store.insert_user(user(1, pin="0123456789"), {})
    found = store.find_user_by_email("acc-1", "user1@example.COM")
    assert found is not None
    assert found["PrimaryEmail"] == "User1@Example.com"
    assert store.pin_in_use("0123456789")
    with pytest.raises(DrawnKeyTaken), store.transaction():  # a PIN is drawn: draw again
        store.insert_user(user(2, pin="0123456789"), {})
    assert not store.user_exists("user-2")
    with pytest.raises(DuplicateKey), store.transaction():  # an id taken is a conflict
        store.insert_user(user(1, pin="1111111111"), {})
    assert not store.pin_in_use("1111111111")


def test_json_members_filter_users(store: Store) -> None:
    with store.transaction():
        store.insert_user({**user(1), "UserRegistrationStatus": "Suspended"}, {})
        store.insert_user({**user(2), "UserType": "SharedDevice"}, {})
    assert store.count_users("acc-1") == 2
    assert store.count_users("acc-1", excluding_status="Suspended") == 1
    page = store.list_users("acc-1", after=0, limit=10, user_type="SharedDevice")
    assert [u["UserId"] for u in page.items] == ["user-2"]


def test_records_keep_their_place_when_replaced_and_clear_empties_all(store: Store) -> None:
    with store.transaction():
        store.put_record("room", "acc-1", "r1", {"v": 1})
        store.put_record("room", "acc-1", "r2", {"v": 2})
        store.put_record("room", "acc-1", "r1", {"v": 3})
    assert [doc for _, doc in store.scope_records("room", "acc-1")] == [{"v": 3}, {"v": 2}]
    assert store.record_counts() == {"room": 2}
    secret = store.token_secret()
    store.clear()
    assert store.record_counts() == {}
    assert store.token_secret() == secret


def test_state_persists_across_reopen(target: str) -> None:
    store = open_store(target)
    with store.transaction():
        store.insert_account(TENANT, account(1), {"EnableDialOut": True})
    secret = store.token_secret()
    store.close()
    reopened = open_store(target)
    assert reopened.get_account(TENANT, "acc-1") == account(1)
    assert reopened.get_account_settings("acc-1") == {"EnableDialOut": True}
    assert reopened.token_secret() == secret
    reopened.close()


# -- SQLite only: the file lock, a full disk, a file that is not a database, index use ---------


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_sqlite_write_lock_is_not_waited_for_when_told_not_to(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db", lock_wait=0.3)
    other = _hold_write_lock(tmp_path / "s.db")
    began = time.monotonic()
    with pytest.raises(StoreBusy), store.transaction(wait=False):
        pass
    assert time.monotonic() - began < 0.1
    with pytest.raises(StoreUnavailable, match="locked"), store.transaction():
        pass
    threading.Timer(0.1, other.rollback).start()
    waiting = SqliteStore(tmp_path / "s.db", lock_wait=5)
    with waiting.transaction():
        waiting.insert_account(TENANT, account(1), {})
    assert store.account_exists("acc-1")


def test_sqlite_full_disk_is_unavailable_and_keeps_what_was_written(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    with store.transaction():
        store.insert_account(TENANT, account(0), {})
    store._db.execute("PRAGMA max_page_count = 12")  # the file may not grow: a full disk
    with pytest.raises(StoreUnavailable, match="full"), store.transaction():
        store.insert_users((user(n, "acc-0"), {}, {}) for n in range(2000))
    assert store.account_exists("acc-0")
    assert store.count_all_users() == 0


def test_a_file_that_is_not_a_database_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not a database, just some notes\n" * 100)
    with pytest.raises(StoreUnavailable, match="not a usable SQLite database"):
        SqliteStore(path)


def _statements(store: SqliteStore, calls: Callable[[], object]) -> list[str]:
    seen: list[str] = []
    store._db.set_trace_callback(seen.append)
    try:
        calls()
    finally:
        store._db.set_trace_callback(None)
    return seen


@pytest.mark.parametrize(
    ("verb", "index"),
    [
        (lambda s: s.get_user("acc-1", "user-1"), "sqlite_autoindex_users_1"),
        (lambda s: s.find_user_by_email("acc-1", "a@b.c"), "users_by_email"),
        (lambda s: s.list_users("acc-1", after=0, limit=10), "users_by_account"),
        (lambda s: s.get_member(TENANT, "acc-1", "user-1"), "sqlite_autoindex_users_1"),
    ],
)
def test_hot_lookups_use_an_index(verb: Callable[[SqliteStore], object], index: str) -> None:
    store = SqliteStore()
    [statement] = _statements(store, lambda: verb(store))
    plan = " ".join(row[-1] for row in store._db.execute(f"EXPLAIN QUERY PLAN {statement}"))
    assert index in plan
    assert "SCAN users" not in plan
