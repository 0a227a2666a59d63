"""What the PostgreSQL engine sends in one query, and how it reads the answer.

A transaction's opening (:class:`Opening`: the tenant's lock, ``BEGIN``, the read of the
server state's version) goes with its first statement, held-back writes with the next one, and
a single read's ``COMMIT`` with its statement (:class:`Query`): one simple-protocol query whose
values psycopg binds on the client, the one way PostgreSQL takes several statements at once.
The asynchronous helpers here run on the event loop for bridged requests; a connection that a
failure shows to be gone (:func:`lost`) is dropped and the pool tests the rest (:func:`discarded`).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

import psycopg
from psycopg import errors as pg_errors
from psycopg_pool import AsyncConnectionPool

PLAIN_INSERT = re.compile(r"INSERT INTO (\w+) \(([\w, ]+)\) VALUES \([?, ]+\)$")
COPY_FROM_ROWS = 64  # an INSERT of this many rows or more is sent as COPY


SHUTDOWN = (pg_errors.AdminShutdown, pg_errors.CrashShutdown)


def lost(conn: Any, error: psycopg.Error) -> bool:
    """Whether ``error`` means the connection is gone: found closed, or told by the server that
    it is being shut down (a restart: libpq has read that message, not yet the closed socket)."""
    return bool(conn.broken) or isinstance(error, SHUTDOWN)


async def ended(conn: Any) -> None:
    """Roll back what a failed query left open on ``conn`` (a connection still usable)."""
    if not conn.broken and conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        with contextlib.suppress(psycopg.Error):
            await conn.execute("ROLLBACK")


class Rows:
    """A finished statement's rows, read like a cursor's."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def fetchone(self) -> Any:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[Any]:
        return self._rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)


async def fetched(conn: Any, sql: str, args: Sequence[Any] | None) -> Rows:
    cursor = await conn.execute(sql, args)
    return Rows(await cursor.fetchall() if has_rows(cursor) else [], cursor.rowcount)


async def sent(conn: Any, query: Query) -> tuple[int | None, Rows | None]:
    """:meth:`_Link.send` on an asynchronous connection."""
    cursor = psycopg.AsyncClientCursor(conn)
    await cursor.execute(query.text, query.args)
    return await read_result(cursor, query)


async def read_result(cursor: Any, query: Query) -> tuple[int | None, Rows | None]:
    """The version and the statement's rows of ``query``, from ``cursor`` on its first result
    (left on the statement's result)."""
    version = statement = None
    if query.version_at is not None:
        skip(cursor, query.version_at)
        version = int((await cursor.fetchone())[0])
    if query.statement_at is not None:
        skip(cursor, query.statement_at - (query.version_at or 0))
        rows = await cursor.fetchall() if has_rows(cursor) else []
        statement = Rows(rows, cursor.rowcount)
    return version, statement


def skip(cursor: Any, results: int) -> None:
    """Move a multi-statement query's cursor on by ``results`` results."""
    for _ in range(results):
        cursor.nextset()


def has_rows(cursor: Any) -> bool:
    result = cursor.pgresult
    return result is not None and result.status == psycopg.pq.ExecStatus.TUPLES_OK


class Opening(NamedTuple):
    """What starts a transaction (the tenant lock, ``BEGIN``, the read of the server state's
    version), sent in one query together with the transaction's first statement: that query
    binds its values on the client, the one way PostgreSQL takes several statements at once."""

    text: str
    results: int  # the results the text produces, the version's last
    reads_version: bool


class Query(NamedTuple):
    """What a transaction sends in one query: its opening (the first query only), the writes it
    deferred, a statement ``sql`` whose result it reads, and a ``tail`` (its COMMIT)."""

    opening: Opening | None
    writes: Sequence[tuple[str, Sequence[Any]]]
    sql: str | None
    sql_args: Sequence[Any] | None
    tail: str = ""

    @property
    def text(self) -> str:
        parts = [self.opening.text] if self.opening else []
        parts += [write for write, _ in self.writes]
        parts += [self.sql] if self.sql is not None else []
        return "; ".join([*parts, self.tail] if self.tail else parts)

    @property
    def args(self) -> Sequence[Any] | None:
        if not self.writes:
            return self.sql_args  # (named values, when the statement has them)
        values = [value for _, written in self.writes for value in written]
        return [*values, *(self.sql_args or ())]

    @property
    def version_at(self) -> int | None:
        """Which result (from 0) is the version the opening read."""
        opening = self.opening
        return opening.results - 1 if opening is not None and opening.reads_version else None

    @property
    def statement_at(self) -> int | None:
        """Which result (from 0) is the statement's."""
        if self.sql is None:
            return None
        return (self.opening.results if self.opening else 0) + len(self.writes)


VERSION = "SELECT version FROM state_server"


def opening_of(begin: str, lock: int | None, reads_version: bool) -> Opening | None:
    """The opening of a transaction; None when there is nothing to send (autocommit)."""
    parts = [f"SELECT pg_advisory_lock({lock:d})", "COMMIT"] if lock is not None else []
    parts += [begin] if begin else []  # (COMMIT above ends the lock's implicit block)
    parts += [VERSION] if reads_version else []
    return Opening("; ".join(parts), len(parts), reads_version) if parts else None


async def run_many(conn: Any, sql: str, rows: list[Sequence[Any]]) -> None:
    copying = copy_statement(sql, rows)
    async with conn.cursor() as cursor:
        if copying is None:
            await cursor.executemany(sql.replace("?", "%s"), rows)
            return
        async with cursor.copy(copying) as copy:
            for row in rows:
                await copy.write_row(row)


def copy_statement(sql: str, rows: list[Sequence[Any]]) -> str | None:
    """The COPY that replaces a plain INSERT of many rows (bulk loads: several times faster);
    None for a few rows, which one pipelined ``executemany`` sends in fewer round trips."""
    plain_insert = PLAIN_INSERT.match(sql)
    if plain_insert is None or len(rows) < COPY_FROM_ROWS:
        return None
    table, columns = plain_insert.groups()
    return f"COPY {table} ({columns}) FROM STDIN"


async def discarded(pool: AsyncConnectionPool[Any], conn: Any) -> None:
    """:meth:`_Link.discard` on the asynchronous pool."""
    await conn.close()
    await pool.putconn(conn)
    await pool.check()
