"""Single reads of requests on the event loop sent to PostgreSQL together (:class:`SingleReads`).

A single read is a transaction of one statement: its opening, the statement and ``COMMIT`` in
one query. Such transactions need no connection of their own while the request's code runs
(:data:`LATER` stands in for it), so the reads of all requests that reach their query in one
round of the loop go in one query on one connection, each still a transaction of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg_pool import PoolTimeout

from chime_local.store.pg_wire import Query, Rows, discarded, ended, lost, read_result, sent, skip

if TYPE_CHECKING:
    from chime_local.store.postgres import _BridgedLink


class Later:
    """The connection of a single read on the loop, had only when its query is sent."""

    broken = False


LATER = Later()


Answer = asyncio.Future[tuple[int | None, Rows | None]]


class SingleReads:
    """Single reads (opening, one statement, COMMIT) that requests on the loop send at once go
    to the database together: one query on one connection, each still a transaction of its own.

    A read queued while none waits schedules the sending at the end of the loop's current
    round, so the reads of every request that reached its query in that round join it. A
    GetUser then costs its share of one round trip (the checkout, the wait on the socket, the
    database's handling of one message) instead of a whole one. If one of them fails, the rest
    are sent again one by one (reads: sending one again changes nothing), so each gets its own
    answer or error; a connection found broken (the server restarted since it was pooled) is
    replaced once, as a transaction's first query does.
    """

    def __init__(self, link: _BridgedLink) -> None:
        self._link = link
        self._waiting: list[tuple[Query, Answer]] = []
        self._sending: set[asyncio.Task[None]] = set()

    async def send(self, query: Query) -> tuple[int | None, Rows | None]:
        answer: Answer = self._link.loop.create_future()
        self._waiting.append((query, answer))
        if len(self._waiting) == 1:
            self._link.loop.call_soon(self._send_waiting)
        return await answer

    def _send_waiting(self) -> None:
        batch, self._waiting = self._waiting, []
        task = self._link.loop.create_task(self._send_batch(batch))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send_batch(self, batch: list[tuple[Query, Answer]]) -> None:
        store = self._link.store
        try:
            for attempt in range(2):
                try:
                    conn = await self._link.getconn(store.checkout_timeout())
                except PoolTimeout as error:
                    raise store.no_connection(error) from error
                replace = False
                try:
                    await self._answer_on(conn, [item for item in batch if not item[1].done()])
                    return
                except psycopg.Error as error:
                    replace = not attempt and lost(conn, error)  # then sent again, once
                    if not replace:
                        raise
                finally:
                    pool = self._link.pool
                    await (discarded(pool, conn) if replace else pool.putconn(conn))
        except asyncio.CancelledError:
            for _, answer in batch:
                answer.cancel()
            raise
        except BaseException as error:
            for _, answer in batch:
                fail(answer, error)

    async def _answer_on(self, conn: Any, batch: list[tuple[Query, Answer]]) -> None:
        """Answer the batch on ``conn``: together, or one by one after a failure. A failure
        that broke the connection is raised (the unanswered are sent again elsewhere)."""
        if len(batch) > 1 and not any(isinstance(query.args, Mapping) for query, _ in batch):
            cursor = psycopg.AsyncClientCursor(conn)
            text = "; ".join(query.text for query, _ in batch)
            try:
                await cursor.execute(text, [v for query, _ in batch for v in query.args or ()])
            except psycopg.Error as error:
                if lost(conn, error):
                    raise
                await ended(conn)
            else:
                for index, (query, answer) in enumerate(batch):
                    if index:
                        skip(cursor, 2)  # from the previous statement's result, past COMMIT
                    try:
                        settle(answer, await read_result(cursor, query))
                    except Exception as error:  # (a value it cannot decode)
                        fail(answer, error)
                        # the cursor's place in the results is no longer sure: the rest one by one
                        batch = batch[index + 1 :]
                        break
                else:
                    return
        for query, answer in batch:
            try:
                result = await sent(conn, query)
            except Exception as error:
                if isinstance(error, psycopg.Error) and lost(conn, error):
                    raise
                await ended(conn)
                fail(answer, error)
            else:
                settle(answer, result)


def settle(answer: Answer, result: tuple[int | None, Rows | None]) -> None:
    if not answer.done():  # (its request may have been cancelled meanwhile)
        answer.set_result(result)


def fail(answer: Answer, error: BaseException) -> None:
    if not answer.done():
        answer.set_exception(error)
