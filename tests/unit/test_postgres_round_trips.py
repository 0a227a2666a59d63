"""What the PostgreSQL engine sends per transaction, counted at its link to the database.

A transaction's opening (tenant lock, BEGIN, the read of the server state's version) goes with
its first statement; a single read also ends with it, and a second statement of a single read
asks the caller to read again. Writes whose results nobody reads are held back and sent with the
next statement or the COMMIT. The emulator learns which reads take more than one statement.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import psycopg
import pytest
from psycopg_pool import PoolTimeout

from chime_local import Emulator
from chime_local.config import Config
from chime_local.store import DuplicateKey, ReadAgain, Store, StoreUnavailable
from chime_local.store.postgres import HELD_BACK_AT_MOST, PostgresStore, _Link, _lock_key
from tests.api.raw import call_in_process
from tests.postgres import advisory_locks, open_transactions

TENANT = "111122223333"


@pytest.fixture
def round_trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every query this thread sends through a blocking link, in order (the in-process
    emulator uses the blocking link; the request log's writer thread is not counted)."""
    sent: list[str] = []
    run, send = _Link.run, _Link.send
    here = threading.get_ident()

    def counted_run(self: _Link, conn: Any, sql: str, args: Any = None) -> Any:
        if threading.get_ident() == here:
            sent.append(sql)
        return run(self, conn, sql, args)

    def counted_send(self: _Link, conn: Any, query: Any) -> Any:
        if threading.get_ident() == here:
            sent.append(query.text)
        return send(self, conn, query)

    monkeypatch.setattr(_Link, "run", counted_run)
    monkeypatch.setattr(_Link, "send", counted_send)
    return sent


@pytest.fixture
def store(postgres_store: Store) -> Store:
    postgres_store.insert_account(TENANT, {"AccountId": "acc-1", "Name": "Team"}, {})
    return postgres_store


def test_a_single_read_is_one_round_trip_with_the_version_and_its_commit(
    store: Store, round_trips: list[str], postgres_url: str
) -> None:
    with store.transaction(write=False, single_read=True):
        assert store.get_account(TENANT, "acc-1") is not None
        assert store.state.version() == 0  # read by the opening: nothing more is sent
    assert len(round_trips) == 1
    assert round_trips[0].startswith("BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY; SELECT version")
    assert round_trips[0].endswith("; COMMIT")
    assert open_transactions(postgres_url) == 0


def test_a_second_statement_of_a_single_read_asks_for_a_plain_transaction(
    store: Store, round_trips: list[str], postgres_url: str
) -> None:
    with pytest.raises(ReadAgain), store.transaction(write=False, single_read=True):
        store.get_account(TENANT, "acc-1")
        store.account_exists("acc-1")
    assert len(round_trips) == 1  # the second statement was never sent
    assert open_transactions(postgres_url) == 0
    round_trips.clear()
    with store.transaction(write=False):
        store.get_account(TENANT, "acc-1")
        assert store.account_exists("acc-1")
    assert [sql.split()[0] for sql in round_trips] == ["BEGIN", "SELECT", "COMMIT"]


def test_a_write_sends_lock_and_opening_with_its_first_statement_and_nothing_when_idle(
    store: Store, round_trips: list[str], postgres_url: str
) -> None:
    with store.transaction(serialize_on=TENANT):
        assert store.account_exists("acc-1")
        store.save_account({"AccountId": "acc-1", "Name": "Renamed"})  # held back
    assert len(round_trips) == 2
    assert round_trips[0].startswith("SELECT pg_advisory_lock(")
    opening = "BEGIN ISOLATION LEVEL SERIALIZABLE; SELECT version FROM state_server; SELECT 1"
    assert opening in round_trips[0]
    assert round_trips[1].startswith("UPDATE accounts SET")
    assert round_trips[1].endswith("; COMMIT; SELECT pg_advisory_unlock_all()")
    assert store.get_account(TENANT, "acc-1") == {"AccountId": "acc-1", "Name": "Renamed"}
    round_trips.clear()
    with store.transaction(serialize_on=TENANT):
        pass  # a block that makes no statement takes no lock and sends nothing
    assert round_trips == []
    assert advisory_locks(postgres_url) == 0


def test_a_value_bound_in_the_opening_query_is_quoted_by_the_driver(store: Store) -> None:
    """The first statement's values are bound on the client (the opening shares its query):
    quotes, backslashes and percent signs come back as they went in."""
    name = "O'Brien \\ 100% ; DROP TABLE users; --"
    with store.transaction(serialize_on=TENANT):
        store.save_account({"AccountId": "acc-1", "Name": name})
    with store.transaction(write=False, single_read=True):
        assert store.get_account(TENANT, "acc-1") == {"AccountId": "acc-1", "Name": name}
    assert store.count_all_users() == 0  # the users table is still there


def test_the_emulator_learns_which_reads_take_more_than_one_statement(
    postgres_url: str, round_trips: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator = Emulator(Config(db_path=postgres_url, log_requests=False))
    monkeypatch.setattr(emulator.calls, "record", lambda call, alone: None)  # the log aside
    try:
        status, created = call_in_process(emulator, "POST", "/accounts", {"Name": "Team"})
        assert status == 201
        account_id = created["Account"]["AccountId"]
        status, made = call_in_process(
            emulator, "POST", f"/accounts/{account_id}/users?operation=create", {"Email": "a@b.c"}
        )
        assert status == 201
        user_path = f"/accounts/{account_id}/users/{made['User']['UserId']}"

        def trips_of(method: str, path: str, status: int) -> int:
            round_trips.clear()
            assert call_in_process(emulator, method, path)[0] == status
            return len(round_trips)

        # A missing user reads twice (which of account and user is missing): read again (one
        # single read, then opening and lookup, the account, ROLLBACK), but an error does not
        # make GetUser's found answers plain transactions.
        assert trips_of("GET", f"/accounts/{account_id}/users/{'0' * 36}", 404) == 4
        assert trips_of("GET", user_path, 200) == 1
        # ListUsers answers with two statements: once read again, then plain from the start.
        assert trips_of("GET", f"/accounts/{account_id}/users", 200) == 4
        assert trips_of("GET", f"/accounts/{account_id}/users", 200) == 3
        assert trips_of("GET", user_path, 200) == 1
        # CreateUser: the opening and the account, the email's check, the insert with COMMIT
        # (the drawn PIN is not read first: its constraint keeps it unique)
        round_trips.clear()
        users = f"/accounts/{account_id}/users?operation=create"
        assert call_in_process(emulator, "POST", users, {"Email": "b@b.c"})[0] == 201
        assert len(round_trips) == 3
        assert "INSERT INTO users" in round_trips[-1]
    finally:
        emulator.close()


def test_a_transaction_of_writes_only_is_one_round_trip_and_reads_see_held_back_writes(
    store: Store, round_trips: list[str]
) -> None:
    with store.transaction(serialize_on=TENANT):
        store.save_account({"AccountId": "acc-1", "Name": "First"})
        store.put_record("room", "acc-1", "r-1", {"RoomId": "r-1"})
    assert len(round_trips) == 1
    assert round_trips[0].startswith("SELECT pg_advisory_lock(")
    assert round_trips[0].endswith("; COMMIT; SELECT pg_advisory_unlock_all()")
    round_trips.clear()
    with store.transaction(serialize_on=TENANT):
        store.put_record("room", "acc-1", "r-2", {"RoomId": "r-2"})
        assert store.count_records("room", "acc-1") == 2  # sent together, in order
        store.delete_record("room", "r-1")
        assert store.get_record("room", "r-1") is None
    assert len(round_trips) == 3
    assert store.get_account(TENANT, "acc-1") == {"AccountId": "acc-1", "Name": "First"}


def test_a_held_back_write_that_fails_fails_the_transaction_at_its_end(
    store: Store, postgres_url: str
) -> None:
    """A duplicate key met by a held-back write surfaces when the transaction ends: nothing of
    the transaction is kept, and no lock or open transaction is left behind."""
    with pytest.raises(DuplicateKey), store.transaction(serialize_on=TENANT):
        store.save_account({"AccountId": "acc-1", "Name": "Never"})
        store.insert_account(TENANT, {"AccountId": "acc-1", "Name": "Again"}, {})
    assert store.get_account(TENANT, "acc-1") == {"AccountId": "acc-1", "Name": "Team"}
    assert open_transactions(postgres_url) == 0
    assert advisory_locks(postgres_url) == 0


def test_held_back_writes_are_sent_in_bounded_batches(store: Store, round_trips: list[str]) -> None:
    """A long transaction of writes (a seed's records) never holds more than a batch back."""
    with store.transaction(serialize_on=TENANT):
        for n in range(HELD_BACK_AT_MOST * 2 + 1):
            store.put_record("room", "acc-1", f"r-{n}", {"RoomId": f"r-{n}"})
    assert len(round_trips) == 3
    assert all(sql.count("INSERT INTO records") <= HELD_BACK_AT_MOST for sql in round_trips)
    assert store.count_records("room", "acc-1") == HELD_BACK_AT_MOST * 2 + 1


def test_a_write_whose_lock_wait_times_out_is_refused_not_acknowledged(
    postgres_url: str,
) -> None:
    """CreateAccount's only statement is held back; its first query (lock, opening, the insert)
    is sent by the state check and times out waiting for the tenant's lock: the answer is a
    503, and nothing is stored."""
    store = PostgresStore(postgres_url, statement_timeout_ms=300)
    emulator = Emulator(Config(db_path=postgres_url, log_requests=False), store=store)
    try:
        status, made = call_in_process(emulator, "POST", "/accounts", {"Name": "First"})
        assert status == 201
        holder = psycopg.connect(postgres_url, autocommit=True)  # a slow writer, same tenant
        holder.execute("SELECT pg_advisory_lock(%s)", (_lock_key(made["Account"]["AwsAccountId"]),))
        try:
            status, answer = call_in_process(emulator, "POST", "/accounts", {"Name": "Second"})
        finally:
            holder.close()
        assert status == 503, answer
        with psycopg.connect(postgres_url) as conn:
            names = conn.execute("SELECT name FROM accounts ORDER BY seq").fetchall()
        assert names == [("First",)]
    finally:
        emulator.close()


def test_a_failure_the_block_catches_is_not_committed_past(store: Store, postgres_url: str) -> None:
    """A held-back write fails when the next query sends it; code that catches that and goes
    on still gets the failure at the end, and nothing of the transaction is kept."""
    with pytest.raises(DuplicateKey), store.transaction(serialize_on=TENANT):
        store.put_record("room", "acc-1", "r-1", {"RoomId": "r-1"})
        store.insert_account(TENANT, {"AccountId": "acc-1", "Name": "Again"}, {})
        with contextlib.suppress(DuplicateKey):
            store.state.version()  # sends the held-back writes
    assert store.get_record("room", "r-1") is None
    assert open_transactions(postgres_url) == 0


def test_a_lost_answer_to_a_query_that_committed_writes_is_not_sent_again(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection breaks after the server ran opening, writes and COMMIT in one query: the
    write is reported as unavailable (it may have committed), never repeated."""
    sent: list[str] = []
    send = _Link.send

    def answer_lost(self: _Link, conn: Any, query: Any) -> Any:
        sent.append(query.text)
        result = send(self, conn, query)
        if len(sent) == 1:
            conn.pgconn.finish()
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        return result

    monkeypatch.setattr(_Link, "send", answer_lost)
    with pytest.raises(StoreUnavailable), store.transaction(serialize_on=TENANT):
        store.save_account({"AccountId": "acc-1", "Name": "Once"})
    assert len(sent) == 1
    monkeypatch.setattr(_Link, "send", send)
    assert store.get_account(TENANT, "acc-1") == {"AccountId": "acc-1", "Name": "Once"}


def test_a_store_found_away_stays_marked_away_when_the_block_ends(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first query finds its connection dead and no replacement comes within the pool
    timeout: the request fails as unavailable, and the store stays marked so (the next
    checkouts wait the short outage bound, and /health says unavailable)."""
    send, checkout = _Link.send, _Link.checkout
    checkouts: list[int] = []

    def dead(self: _Link, conn: Any, query: Any) -> Any:
        conn.pgconn.finish()
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    def no_replacement(self: _Link, timeout: float | None) -> Any:
        checkouts.append(1)
        if len(checkouts) > 1:
            raise PoolTimeout("no connection")
        return checkout(self, timeout)

    monkeypatch.setattr(_Link, "send", dead)
    monkeypatch.setattr(_Link, "checkout", no_replacement)
    assert store.available
    with pytest.raises(StoreUnavailable), store.transaction(write=False, single_read=True):
        store.get_account(TENANT, "acc-1")
    assert store.available is False
    monkeypatch.setattr(_Link, "send", send)
    monkeypatch.setattr(_Link, "checkout", checkout)
    assert store.get_account(TENANT, "acc-1") is not None
    assert store.available
