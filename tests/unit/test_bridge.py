"""The greenlet bridge (chime_local.store.bridge) and the PostgreSQL engine's bridged requests:
synchronous request code awaits on the event loop, each request keeps its own transaction, and
the engine ends every transaction (and its tenant lock) whatever happens."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import psycopg
import pytest

from chime_local.store import Store
from chime_local.store.bridge import current_request, pause, run_bridged, wait_for
from chime_local.store.pg_wire import COPY_FROM_ROWS, copy_statement
from chime_local.store.postgres import PostgresStore
from chime_local.store.state import LoggedCall
from tests.postgres import advisory_locks


def test_bridged_code_awaits_on_the_loop_and_errors_travel_both_ways() -> None:
    async def answer(value: int) -> int:
        await asyncio.sleep(0)
        return value * 2

    async def fail() -> None:
        raise KeyError("from the loop")

    def request(value: int) -> tuple[int, str]:
        assert current_request() is not None
        doubled = wait_for(answer(value))
        with pytest.raises(KeyError, match="from the loop"):
            wait_for(fail())
        return doubled, "done"

    def broken() -> None:
        raise ValueError("from the request")

    async def main() -> None:
        assert await run_bridged(request, 21) == (42, "done")
        with pytest.raises(ValueError, match="from the request"):
            await run_bridged(broken)

    asyncio.run(main())
    assert current_request() is None
    outside = answer(1)
    with pytest.raises(RuntimeError, match="run_bridged"):
        wait_for(outside)
    outside.close()


def test_a_bridged_pause_lets_other_requests_run() -> None:
    order: list[str] = []

    def sleeper() -> None:
        order.append("sleeper starts")
        pause(0.05)
        order.append("sleeper ends")

    def quick() -> None:
        order.append("quick")

    async def main() -> float:
        began = time.perf_counter()
        await asyncio.gather(run_bridged(sleeper), run_bridged(quick))
        return time.perf_counter() - began

    assert asyncio.run(main()) >= 0.05
    assert order == ["sleeper starts", "quick", "sleeper ends"]


def test_bridged_requests_keep_their_own_transactions(
    postgres_store: Store, postgres_url: str
) -> None:
    """Two requests interleave on one thread; each keeps its own connection and transaction
    across its waits, both commit, and no tenant lock is left."""
    store: Any = postgres_store
    seen: dict[str, list[Any]] = {}
    here = "SELECT pg_backend_pid(), txid_current()"

    def request(name: str, tenant: str) -> None:
        with store.transaction(True, serialize_on=tenant):
            before = store._execute(here, ()).fetchone()
            store._execute("INSERT INTO meta VALUES (?, ?)", (name, "x"))
            pause(0.02)  # the other request runs meanwhile, in its own transaction
            seen[name] = [before, store._execute(here, ()).fetchone()]

    async def main() -> None:
        await asyncio.gather(
            run_bridged(request, "req-a", "tenant-a"), run_bridged(request, "req-b", "tenant-b")
        )
        await store.aclose()

    asyncio.run(main())
    (a_before, a_after), (b_before, b_after) = seen["req-a"], seen["req-b"]
    assert a_before == a_after and b_before == b_after and a_before != b_before
    with psycopg.connect(postgres_url) as conn:
        keys = conn.execute("SELECT key FROM meta WHERE key LIKE 'req-_' ORDER BY key").fetchall()
    assert keys == [("req-a",), ("req-b",)]
    assert advisory_locks(postgres_url) == 0


def test_a_failed_bridged_write_rolls_back_and_releases_its_lock(
    postgres_store: Store, postgres_url: str
) -> None:
    store: Any = postgres_store

    def request() -> None:
        with store.transaction(True, serialize_on="tenant"):
            store._execute("INSERT INTO meta VALUES ('written', 'x')", ())
            store._execute("INSERT INTO meta VALUES ('written', 'again')", ())  # a duplicate

    async def main() -> None:
        with pytest.raises(Exception, match="duplicate key"):
            await run_bridged(request)
        await store.aclose()

    asyncio.run(main())
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT 1 FROM meta WHERE key = 'written'").fetchone() is None
    assert advisory_locks(postgres_url) == 0


def test_the_request_log_gets_a_connection_while_every_request_holds_one(
    postgres_url: str,
) -> None:
    """The loop's pool keeps a connection beyond one per request (``store.concurrency``) for the
    server state's own work: a batch of the request log does not wait for a request to end."""
    store = PostgresStore(postgres_url, pool_size=2, pool_timeout=1.0)
    call = LoggedCall(time.time(), ["2026-01-01", "rid", "AKID", None, {}, 200, None, None])

    async def main() -> float:
        release = asyncio.Event()

        def hold() -> None:
            with store.transaction(True):
                store.account_exists("acc-1")  # the transaction holds its connection now
                wait_for(release.wait())

        holders = [asyncio.ensure_future(run_bridged(hold)) for _ in range(store.concurrency)]
        await asyncio.sleep(0.2)
        began = time.monotonic()
        await run_bridged(store.state.append_calls, [call], 1000)
        waited = time.monotonic() - began
        release.set()
        await asyncio.gather(*holders)
        await store.aclose()
        return waited

    try:
        assert asyncio.run(main()) < 0.5  # not the pool's timeout: the batch took the spare
        assert [entry[1] for entry in store.state.recent_calls(10)] == ["rid"]
    finally:
        store.close()


def test_only_many_rows_are_copied() -> None:
    insert = "INSERT INTO users (user_id, doc) VALUES (?, ?)"
    assert copy_statement(insert, [("u", "{}")]) is None
    rows = [("u", "{}")] * COPY_FROM_ROWS
    assert copy_statement(insert, rows) == "COPY users (user_id, doc) FROM STDIN"
    assert copy_statement("UPDATE users SET doc = ? WHERE user_id = ?", rows) is None
