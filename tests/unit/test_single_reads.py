"""Single reads of bridged requests waiting at once go to PostgreSQL in one query
(:class:`chime_local.store.postgres.SingleReads`), each still a transaction of its own with its
own answer; a failing one fails alone; a broken pooled connection is replaced once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from chime_local.store import Store, StoreUnavailable, pg_reads
from chime_local.store.bridge import run_bridged
from chime_local.store.pg_reads import SingleReads
from tests.postgres import open_transactions

TENANT = "111122223333"


@pytest.fixture
def store(postgres_store: Store) -> Store:
    for n in range(6):
        postgres_store.insert_account(TENANT, {"AccountId": f"acc-{n}", "Name": f"Team {n}"}, {})
    return postgres_store


@pytest.fixture
def queries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The text of every query sent through an asynchronous client cursor, in order."""
    sent: list[str] = []
    execute = psycopg.AsyncClientCursor.execute

    async def counted(self: Any, query: Any, params: Any = None, **kwargs: Any) -> Any:
        sent.append(str(query))
        return await execute(self, query, params, **kwargs)

    monkeypatch.setattr(psycopg.AsyncClientCursor, "execute", counted)
    return sent


def read_account(store: Store, n: int) -> str:
    with store.transaction(write=False, single_read=True):
        account = store.get_account(TENANT, f"acc-{n}")
        assert store.state.version() == 0  # read with it
    assert account is not None
    return str(account["Name"])


def at_once(store: Store, *requests: Callable[[], Any]) -> list[Any]:
    """Run the requests as bridged requests started together; their results or errors."""

    async def main() -> list[Any]:
        try:
            return await asyncio.gather(
                *(run_bridged(request) for request in requests), return_exceptions=True
            )
        finally:
            await store.aclose()  # type: ignore[attr-defined]

    return asyncio.run(main())


def test_reads_of_requests_waiting_at_once_are_one_query_each_its_own_transaction(
    store: Store, queries: list[str], postgres_url: str
) -> None:
    names = at_once(store, *(lambda n=n: read_account(store, n) for n in range(6)))
    assert names == [f"Team {n}" for n in range(6)]
    assert len(queries) == 1
    assert queries[0].count("BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY") == 6
    assert queries[0].count("COMMIT") == 6
    assert open_transactions(postgres_url) == 0


def test_a_read_that_fails_fails_alone(store: Store, queries: list[str], postgres_url: str) -> None:
    def failing() -> None:
        with store.transaction(write=False, single_read=True):
            store._execute("SELECT 1 / ?::int", (0,))  # type: ignore[attr-defined]

    answers = at_once(
        store, lambda: read_account(store, 0), failing, lambda: read_account(store, 2)
    )
    assert answers[0] == "Team 0" and answers[2] == "Team 2"
    assert isinstance(answers[1], psycopg.errors.DivisionByZero)
    assert len(queries) == 4  # together, then one by one
    assert open_transactions(postgres_url) == 0
    assert at_once(store, lambda: read_account(store, 3)) == ["Team 3"]  # the pool is sound


def test_a_pooled_connection_broken_meanwhile_is_replaced_once(
    store: Store, postgres_url: str
) -> None:
    async def main() -> list[str]:
        try:
            first = await run_bridged(read_account, store, 1)
            with psycopg.connect(postgres_url, autocommit=True) as admin:  # as a restart would
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = 'chime-local' AND pid <> pg_backend_pid()"
                )
            again = await asyncio.gather(*(run_bridged(read_account, store, n) for n in (4, 5)))
            return [first, *again]
        finally:
            await store.aclose()  # type: ignore[attr-defined]

    assert asyncio.run(main()) == ["Team 1", "Team 4", "Team 5"]


def test_a_write_in_a_single_read_is_refused_not_committed(store: Store, postgres_url: str) -> None:
    def writing() -> None:
        with store.transaction(write=False, single_read=True):
            store._execute("DELETE FROM accounts WHERE account_id = ?", ("acc-0",))  # type: ignore[attr-defined]

    (answer,) = at_once(store, writing)
    assert isinstance(answer, psycopg.errors.ReadOnlySqlTransaction)
    assert store.get_account(TENANT, "acc-0") is not None
    assert open_transactions(postgres_url) == 0


def test_a_lost_connection_reported_by_the_batch_is_a_store_outage(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SingleReads replaced a lost connection once already: a second loss reaches the request
    as the database being away (a 503), not as a failure of the transaction code."""

    async def lost_again(self: SingleReads, query: Any) -> Any:
        raise psycopg.errors.AdminShutdown("terminating connection due to administrator command")

    monkeypatch.setattr(SingleReads, "send", lost_again)
    (answer,) = at_once(store, lambda: read_account(store, 1))
    assert isinstance(answer, StoreUnavailable)


def test_a_read_whose_answer_cannot_be_read_fails_alone(
    store: Store, queries: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reads after it in the batch are sent again one by one, since where the cursor stands
    in the combined answer is no longer sure; the ones before it keep their answers."""
    read_result = pg_reads.read_result
    calls = 0

    async def second_fails(cursor: Any, query: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise ValueError("cannot decode")
        return await read_result(cursor, query)

    monkeypatch.setattr(pg_reads, "read_result", second_fails)
    answers = at_once(store, *(lambda n=n: read_account(store, n) for n in range(4)))
    assert answers[0] == "Team 0" and answers[2:] == ["Team 2", "Team 3"]
    assert isinstance(answers[1], ValueError)
    assert len(queries) == 3  # together, then the two after the failure one by one
