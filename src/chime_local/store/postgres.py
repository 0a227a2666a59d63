"""The PostgreSQL engine: many instances on one database, through psycopg 3 and its pool.

Every call of a request runs in one transaction on one pooled connection (kept by the request,
per bridged greenlet or per thread, while the transaction is open). Transactions are
SERIALIZABLE, reads included: the service checks its limits and uniqueness by reading and then
writing (one email per account, 25 numbers per tenant, 10 bots, ...), and under SERIALIZABLE
PostgreSQL aborts one of two transactions that raced on the same rows or ranges instead of
letting both commit. The aborted one surfaces as :class:`RetryTransaction`, which the emulator
runs again; constraints (unique user ids, PINs, record keys) back the rest and surface as
:class:`DuplicateKey` (a PIN drawn at random as :class:`DrawnKeyTaken`: drawn again).

Every wait is bounded: connecting (``connect_timeout``), a pool checkout (``pool_timeout``), a
statement (``statement_timeout``) and a silent peer (TCP keepalives and ``tcp_user_timeout``).
A database that is down or unreachable turns into :class:`StoreUnavailable` (a 503) within those
bounds; the pool reconnects in the background, and a connection found lost by a transaction's
first query (the server restarted since it was pooled) is replaced once, the pool testing the
others, so the instance recovers without a restart. A COMMIT whose answer was lost is reported
as unavailable, never as success.

Calls wait on the network (``blocks = True``). The server runs a Chime request for this engine
on the event loop in a greenlet of its own (:mod:`chime_local.store.bridge`), where the engine
uses psycopg's asynchronous pool and the loop serves other requests while one waits; everything
else (the admin API, the request log's writer, the command line, the in-process emulator) calls
from a plain thread and uses the blocking pool. :class:`_Link` and :class:`_BridgedLink` are the
two ways to the database; the transaction code above them is written once. What one query sends
and reads is :mod:`~chime_local.store.pg_wire`; the single reads of bridged requests go to the
database together (:mod:`~chime_local.store.pg_reads`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import AsyncConnectionPool, ConnectionPool, PoolTimeout

from chime_local.store.base import (
    DRAWN_KEYS,
    DrawnKeyTaken,
    DuplicateKey,
    ReadAgain,
    RetryTransaction,
    StoreError,
    StoreUnavailable,
)
from chime_local.store.bridge import Slot, current_request, pause, wait_for
from chime_local.store.migrations import POSTGRES_MIGRATIONS, run_migrations
from chime_local.store.pg_reads import LATER, SingleReads
from chime_local.store.pg_wire import (
    Query,
    Rows,
    copy_statement,
    discarded,
    fetched,
    has_rows,
    lost,
    opening_of,
    run_many,
    sent,
    skip,
)
from chime_local.store.sql import SqlVerbs
from chime_local.store.state_postgres import PostgresServerState

POOL_SIZE = 16
# Connections of the loop's pool beyond one per request: for the server state's own work on the
# loop (the request log's batches). Without it a batch took a request's connection, and the
# request waiting for it in the pool's slow path cost every request about 10% of its CPU.
STATE_CONNECTIONS = 1
CONNECT_TIMEOUT_SECONDS = 3
POOL_TIMEOUT_SECONDS = 5.0
# While the database is known to be away, a checkout waits this long only: one request's several
# store steps (state check, its transaction, the request log) then answer 503 in about a second
# instead of a pool timeout each; the first checkout that succeeds marks the store available.
OUTAGE_CHECKOUT_SECONDS = 0.3
# The health check's ping waits this long for a connection (the check itself waits 1 s for it)
PING_CHECKOUT_SECONDS = 0.8
STATEMENT_TIMEOUT_MS = 5000
# A pool that cannot reconnect retries with growing pauses (1 s, 2 s, 4 s, ...), which after a
# long outage left requests failing for half a minute once the database was back. It gives up
# after this long instead, and the next request that needs a connection starts a fresh attempt.
RECONNECT_SECONDS = 2.0
# An INSERT of plain values, which _execute_many sends as COPY when it has many rows.
HELD_BACK_AT_MOST = 64  # writes a transaction holds back before it sends them
MIGRATION_LOCK_KEY = 0x636869_6D65  # pg_advisory_xact_lock key of the migration run


# the drawn keys' constraints, as PostgreSQL names a column's UNIQUE
_DRAWN_CONSTRAINTS = frozenset(f"{table}_{column}_key" for table, column in DRAWN_KEYS)


def translate(error: BaseException) -> StoreError | None:
    """The engine-neutral error for a psycopg failure, or None when it is not the engine's."""
    if isinstance(error, pg_errors.SerializationFailure | pg_errors.DeadlockDetected):
        return RetryTransaction(str(error))
    if isinstance(error, pg_errors.UniqueViolation):
        if error.diag.constraint_name in _DRAWN_CONSTRAINTS:
            return DrawnKeyTaken(str(error))
        return DuplicateKey(str(error))
    if isinstance(error, PoolTimeout):
        return StoreUnavailable(f"no database connection within the pool timeout ({error})")
    if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
        return StoreUnavailable(f"the database is unavailable ({str(error).strip()})")
    return None


def _raise_translated(error: BaseException) -> None:
    problem = translate(error)
    if problem is not None:
        raise problem from error


class _Link:
    """The blocking pool, for calls from a plain thread."""

    def __init__(self, pool: ConnectionPool[Any]) -> None:
        self.pool = pool

    def checkout(self, timeout: float | None) -> Any:
        return self.pool.getconn(timeout)

    def run(self, conn: Any, sql: str, args: Sequence[Any] | None = None) -> Any:
        return conn.execute(sql, args)

    def run_many(self, conn: Any, sql: str, rows: list[Sequence[Any]]) -> None:
        copying = copy_statement(sql, rows)
        with conn.cursor() as cursor:
            if copying is None:
                cursor.executemany(sql.replace("?", "%s"), rows)
                return
            with cursor.copy(copying) as copy:
                for row in rows:
                    copy.write_row(row)

    def send(self, conn: Any, query: Query) -> tuple[int | None, Rows | None]:
        """Send ``query`` (several statements, values bound here): the version its opening read
        and its statement's rows (None for either it does not have)."""
        cursor = psycopg.ClientCursor(conn)
        cursor.execute(query.text, query.args)
        version = statement = None
        if query.version_at is not None:
            skip(cursor, query.version_at)
            version = int(cursor.fetchone()[0])  # type: ignore[index]
        if query.statement_at is not None:
            skip(cursor, query.statement_at - (query.version_at or 0))
            statement = Rows(cursor.fetchall() if has_rows(cursor) else [], cursor.rowcount)
        return version, statement

    def checkin(self, conn: Any) -> None:
        self.pool.putconn(conn)  # a broken connection is discarded by the pool

    def discard(self, conn: Any) -> None:
        """Give back a connection found lost (closed first, so that the pool drops it), and
        have the pool test the ones it holds: a server restart left them all lost."""
        conn.close()
        self.pool.putconn(conn)
        self.pool.check()


class _BridgedLink:
    """The asynchronous pool of one event loop, for bridged requests: each call awaits on the
    loop (:func:`~chime_local.store.bridge.wait_for`) and hands back what the blocking link
    would (rows are fetched with the statement; results here are small)."""

    def __init__(self, pool: AsyncConnectionPool[Any], loop: Any, store: PostgresStore) -> None:
        self.pool = pool
        self.loop = loop
        self.store = store
        self._opened = False
        self.reads = SingleReads(self)

    def checkout(self, timeout: float | None, single_read: bool = False) -> Any:
        if single_read:  # its one query goes with those of other requests (SingleReads)
            return LATER
        return wait_for(self.getconn(timeout))

    async def getconn(self, timeout: float | None) -> Any:
        if not self._opened:
            await self.pool.open()  # once per loop; opening again is harmless
            self._opened = True
        return await self.pool.getconn(timeout)

    def run(self, conn: Any, sql: str, args: Sequence[Any] | None = None) -> Any:
        return wait_for(fetched(conn, sql, args))

    def run_many(self, conn: Any, sql: str, rows: list[Sequence[Any]]) -> None:
        wait_for(run_many(conn, sql, rows))

    def send(self, conn: Any, query: Query) -> tuple[int | None, Rows | None]:
        if conn is LATER:
            return wait_for(self.reads.send(query))
        return wait_for(sent(conn, query))

    def checkin(self, conn: Any) -> None:
        if conn is not LATER:
            wait_for(self.pool.putconn(conn))

    def discard(self, conn: Any) -> None:
        wait_for(discarded(self.pool, conn))


_SERIALIZABLE = "BEGIN ISOLATION LEVEL SERIALIZABLE"
# A single read ends with its one statement, and PostgreSQL refuses a write made in it: a read
# that wrote by mistake fails instead of committing (and being sent again if its batch failed).
_SINGLE_READ = "BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY"


class _Transaction:
    """One transaction on a pooled connection; nested blocks join the outer one.

    Nothing is sent when the block starts: the opening (:class:`Opening`) goes with the first
    statement (a single read's COMMIT too, so a GetUser is one round trip), writes whose results
    nobody reads wait for the next query, and a block that makes no statement sends nothing.
    A failure the block's code caught and went on from is not committed past: the end rolls
    back and raises it.

    With a ``serialize_on`` key, the connection first takes a session advisory lock on it (before
    ``BEGIN``, so the transaction's snapshot is taken once the lock is held) and releases it
    after the end: writes of one tenant then run one after another on every instance, so
    they do not keep aborting each other under SERIALIZABLE, which still guards what crosses
    tenants.
    """

    __slots__ = (
        "_begin",
        "_outermost",
        "_reads_version",
        "_serialize_on",
        "_single_read",
        "_store",
    )

    def __init__(
        self,
        store: PostgresStore,
        begin: str = _SERIALIZABLE,
        serialize_on: str | None = None,
        reads_version: bool = False,
        single_read: bool = False,
    ) -> None:
        self._store = store
        self._begin = begin
        self._serialize_on = serialize_on
        self._reads_version = reads_version
        self._single_read = single_read
        self._outermost = False

    def __enter__(self) -> None:
        slot = self._store._slot()
        if slot.conn is not None:
            slot.depth += 1
            return
        lock = None if self._serialize_on is None else _lock_key(self._serialize_on)
        slot.link = self._store._link()
        slot.conn = self._store._checkout(slot.link, self._single_read)
        slot.opening = opening_of(self._begin, lock, self._reads_version)
        slot.version = None
        slot.single_read = self._single_read
        slot.defers = bool(self._begin) and not self._single_read
        slot.deferred = []
        slot.failure = None
        slot.ended = False
        slot.depth = 1
        self._outermost = True

    def __exit__(self, error_type: type[BaseException] | None, error: object, _: object) -> None:
        store = self._store
        slot = store._slot()
        if not self._outermost:
            slot.depth -= 1
            return
        failure, slot.failure = slot.failure, None
        try:
            if slot.conn is not None:  # (None: its replacement could not be had, see _send)
                self._end(slot, committing=error_type is None and failure is None)
        finally:
            slot.conn = slot.opening = slot.failure = None
            slot.deferred = []
        if isinstance(error, BaseException):
            _raise_translated(error)
            if isinstance(error, StoreUnavailable):
                return  # (the database may still be away: it stays marked so)
        elif failure is not None:  # caught by the block, but the transaction is spoilt
            _raise_translated(failure)
            raise failure
        store.available = True

    def _end(self, slot: Slot, committing: bool) -> None:
        """Send what ends the transaction, in one query: its deferred writes (and its opening,
        if they were all it did), COMMIT or ROLLBACK, and the release of the lock. Nothing
        when nothing was sent. Then return the connection to its pool."""
        store, link = self._store, slot.link
        sent = slot.opening is None and not slot.ended  # (ended: committed with its read)
        # nothing to end: an autocommit block, or a read that went with others (SingleReads),
        # whose query committed it or, failing, was rolled back there
        ended = slot.ended or not self._begin or slot.conn is LATER
        try:
            if not ended and (sent or (committing and slot.deferred)):
                ending = "COMMIT" if committing else "ROLLBACK"
                tail = f"{ending}; {_UNLOCK}" if self._serialize_on is not None else ending
                if committing:
                    store._send(slot, None, None, tail)
                else:
                    link.run(slot.conn, tail)
            ended = True
        except psycopg.Error as failure:
            store.available = not isinstance(translate(failure), StoreUnavailable)
            _raise_translated(failure)
            raise
        finally:
            conn = slot.conn
            try:
                if not ended and conn is not None and not conn.broken:
                    with contextlib.suppress(psycopg.Error):  # never pool a transaction or lock
                        link.run(conn, f"ROLLBACK; {_UNLOCK}")
            finally:
                if conn is not None:
                    link.checkin(conn)


_UNLOCK = "SELECT pg_advisory_unlock_all()"


def _replaceable(conn: Any, error: BaseException) -> bool:
    """Whether a query that failed with ``error`` may go again on another connection: the
    connection is lost (a read that went with others was replaced once by SingleReads)."""
    return conn is not LATER and isinstance(error, psycopg.Error) and lost(conn, error)


def _noting_failure(slot: Slot, call: Callable[..., Any], *args: Any) -> Any:
    """``call(*args)``, a statement of the slot's transaction; a failure is noted on the slot,
    so that the transaction is not committed even if the code around catches it."""
    try:
        return call(*args)
    except BaseException as error:
        slot.failure = error
        raise


def _lock_key(name: str) -> int:
    """A signed 64-bit advisory-lock key for a name (a tenant)."""
    digest = hashlib.blake2b(name.encode(), digest_size=8, person=b"chime-local").digest()
    return int.from_bytes(digest, "big", signed=True)


class PostgresStore(SqlVerbs):
    """All state of the emulator in one PostgreSQL database, shared by every instance."""

    engine = "postgresql"
    blocks = True
    in_memory = False

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = POOL_SIZE,
        connect_timeout: int = CONNECT_TIMEOUT_SECONDS,
        pool_timeout: float = POOL_TIMEOUT_SECONDS,
        statement_timeout_ms: int = STATEMENT_TIMEOUT_MS,
    ) -> None:
        self.url = url
        self.concurrency = pool_size  # requests at once, one per pooled connection
        self.available = True
        self._local = threading.local()  # the slot of a plain thread's open transaction
        self._sql: dict[str, str] = {}
        self._pool_size = pool_size
        self._pool_timeout = pool_timeout
        self._connection: dict[str, Any] = {
            "autocommit": True,  # transactions are opened explicitly, SERIALIZABLE
            "connect_timeout": connect_timeout,
            "options": f"-c statement_timeout={statement_timeout_ms}",
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 2,
            "tcp_user_timeout": statement_timeout_ms + 1000,  # a silent peer: just past it
            "application_name": "chime-local",
        }
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            timeout=pool_timeout,
            open=False,
            name="chime-local",
            kwargs=self._connection,
            reconnect_timeout=RECONNECT_SECONDS,
        )
        self._blocking = _Link(self._pool)
        self._bridged: _BridgedLink | None = None  # made on the first bridged request
        try:
            self._first_contact()
            self._pool.open(wait=True, timeout=connect_timeout + 1)
            run_migrations(self, POSTGRES_MIGRATIONS)
            self.state = PostgresServerState(self)  # clock, faults, rate buckets, log
        except PoolTimeout as error:
            self._pool.close()
            raise StoreUnavailable(f"cannot reach PostgreSQL at {self.describe()}") from error
        except psycopg.Error as error:  # (a user not allowed to create the tables, ...)
            self._pool.close()
            cause = " ".join(str(error).split())
            raise StoreUnavailable(f"cannot use PostgreSQL at {self.describe()}: {cause}") from None
        except BaseException:
            self._pool.close()
            raise

    def _first_contact(self) -> None:
        """One direct connection before the pool opens, so that a wrong host, port, user or
        database is refused at once with its cause (the pool would only retry, warning)."""
        try:
            psycopg.connect(self.url, **self._connection).close()
        except psycopg.Error as error:
            cause = " ".join(str(error).split())
            raise StoreUnavailable(f"cannot use PostgreSQL at {self.describe()}: {cause}") from None

    # -- the connection ---------------------------------------------------------------------

    def _slot(self) -> Slot:
        """Where the current request keeps its open transaction: the bridged request's own
        slot, or this thread's."""
        request = current_request()
        if request is not None:
            return request.slot
        slot: Slot | None = getattr(self._local, "slot", None)
        if slot is None:
            slot = self._local.slot = Slot()
        return slot

    def _link(self) -> _Link | _BridgedLink:
        """The way to the database from here: the asynchronous pool of the running loop for a
        bridged request (made on first use, and again for another loop), else the blocking one."""
        if current_request() is None:
            return self._blocking
        loop = asyncio.get_running_loop()
        if self._bridged is None or self._bridged.loop is not loop:
            pool = AsyncConnectionPool(
                self.url,
                min_size=1,
                max_size=self._pool_size + STATE_CONNECTIONS,
                timeout=self._pool_timeout,
                open=False,
                name="chime-local-loop",
                kwargs=self._connection,
                reconnect_timeout=RECONNECT_SECONDS,
            )
            self._bridged = _BridgedLink(pool, loop, self)
        return self._bridged

    def _checkout(self, link: _Link | _BridgedLink, single_read: bool = False) -> Any:
        """A pooled connection (blocking or asynchronous, as ``link`` gives them); while the
        database is known to be away, waiting a short while only. A bridged single read gets
        :data:`LATER`: its query goes with those of other requests."""
        try:
            if single_read and isinstance(link, _BridgedLink):
                return link.checkout(None, single_read=True)
            return link.checkout(self.checkout_timeout())
        except PoolTimeout as error:
            raise self.no_connection(error) from error

    def checkout_timeout(self) -> float | None:
        """How long a checkout may wait: the pool's timeout (None), or a short while only
        while the database is known to be away."""
        return None if self.available else OUTAGE_CHECKOUT_SECONDS

    def no_connection(self, error: PoolTimeout) -> StoreUnavailable:
        """A checkout that timed out: the database is away (marked so) until one succeeds."""
        self.available = False
        problem = f"no connection to PostgreSQL at {self.describe()} within the pool timeout"
        unavailable = StoreUnavailable(problem)
        unavailable.__cause__ = error
        return unavailable

    def _send(
        self, slot: Slot, sql: str | None, args: Sequence[Any] | None, tail: str = ""
    ) -> Rows | None:
        """Send what the transaction held back (its opening, its deferred writes) with ``sql``
        (None: without a statement) and ``tail`` in one query; a single read's first statement
        brings its COMMIT. A connection found stale (the server restarted since it was pooled)
        by a transaction's first query is replaced once, unless that query also committed
        writes."""
        link: _Link | _BridgedLink = slot.link
        opening, writes = slot.opening, slot.deferred
        slot.deferred = []
        ends = opening is not None and slot.single_read and sql is not None
        if slot.conn is LATER and not ends:  # (its opening alone: a transaction left open)
            slot.conn = self._checkout(link)
        query = Query(opening, writes, sql, args, "COMMIT" if ends else tail)
        # Sent again on a new connection only if it cannot have committed writes: not when it
        # carries writes and their COMMIT (that answer lost is reported, never repeated).
        again = opening is not None and not (writes and query.tail)
        for attempt in range(2):
            slot.opening = None  # sent, from here: the end releases what it took
            try:
                version, rows = link.send(slot.conn, query)
                break
            except BaseException as error:
                if attempt or not again or not _replaceable(slot.conn, error):
                    slot.failure = error
                    raise
            link.discard(slot.conn)
            slot.conn = None
            slot.conn = self._checkout(link)
        if opening is not None:
            slot.version = version
        slot.ended = ends
        return rows

    def version_seen(self) -> int | None:
        """The server state's version as the open transaction's opening read it (sending the
        opening now if no statement went yet); None outside such a transaction."""
        slot = self._slot()
        if slot.conn is None:
            return None
        if slot.opening is not None and slot.opening.reads_version:
            try:
                self._send(slot, None, None)
            except psycopg.Error as error:  # (and the transaction's end rolls back)
                _raise_translated(error)
                raise
        return slot.version

    def _execute(self, sql: str, args: Sequence[Any]) -> Any:
        slot = self._slot()
        if slot.conn is None:  # a verb called outside a transaction runs in one of its own
            with self.transaction():
                return self._execute(sql, args)
        text = self._text(sql)
        held_back = slot.opening is not None or slot.deferred
        if held_back and not (slot.deferred and isinstance(args, Mapping)):
            return self._send(slot, text, args)  # (named values join no positional ones)
        self._send_held_back(slot)
        return _noting_failure(slot, slot.link.run, slot.conn, text, args)

    def _write(self, sql: str, args: Sequence[Any]) -> None:
        """A statement whose result nobody reads: held back, in a transaction, and sent with
        the transaction's next query (at the latest its COMMIT), saving it a round trip; an
        error it meets is raised there, still inside the transaction."""
        slot = self._slot()
        if slot.conn is None or not slot.defers:
            self._execute(sql, args)
            return
        slot.deferred.append((self._text(sql), args))
        if len(slot.deferred) >= HELD_BACK_AT_MOST:  # (a seed's thousands of records)
            self._send(slot, None, None)

    def _execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        if len(rows) == 1:  # one plain statement: cheaper than executemany's pipeline
            self._write(sql, rows[0])
            return
        slot = self._slot()
        if slot.conn is None:
            with self.transaction():
                self._execute_many(sql, rows)
                return
        self._send_held_back(slot)
        _noting_failure(slot, slot.link.run_many, slot.conn, sql, rows)

    def _send_held_back(self, slot: Slot) -> None:
        """Before a statement that cannot join them: send the opening and deferred writes."""
        if slot.opening is not None or slot.deferred:
            self._send(slot, None, None)
        if slot.ended:
            raise ReadAgain("a single read made a second statement")

    def _text(self, sql: str) -> str:
        """``sql`` with psycopg's placeholders."""
        text = self._sql.get(sql)
        if text is None:
            text = self._sql[sql] = sql.replace("?", "%s")
        return text

    # -- the store's own verbs ----------------------------------------------------------------

    def describe(self) -> str:
        """The URL without its password (for /health and log lines)."""
        parts = conninfo_to_dict(self.url)
        user = f"{parts['user']}@" if parts.get("user") else ""
        host = parts.get("host", "")
        port = f":{parts['port']}" if parts.get("port") else ""
        return f"postgresql://{user}{host}{port}/{parts.get('dbname', '')}"

    def close(self) -> None:
        self._pool.close()

    def pause(self, seconds: float) -> None:
        pause(seconds)  # a bridged request awaits on the loop; a thread sleeps

    def off_loop(self, function: Callable[..., object], *args: Any) -> None:
        if current_request() is None:
            function(*args)
        else:
            wait_for(asyncio.to_thread(function, *args))

    async def aclose(self) -> None:
        """Close the running loop's asynchronous pool (at the server's shutdown)."""
        bridged, self._bridged = self._bridged, None
        if bridged is not None and bridged.loop is asyncio.get_running_loop():
            await bridged.pool.close()

    def ping(self) -> bool:
        """Whether the database answers now: a connection within ``PING_CHECKOUT_SECONDS`` (a
        lost one replaced once, as after a restart) that answers ``SELECT 1``. The health check
        asks this, so its answer marks the store away or back even while no request comes."""
        link = self._link()
        for attempt in range(2):
            try:
                conn = link.checkout(PING_CHECKOUT_SECONDS)
            except PoolTimeout as error:
                self.no_connection(error)
                return False
            try:
                link.run(conn, "SELECT 1")
            except psycopg.Error as error:
                gone = lost(conn, error)
                (link.discard if gone else link.checkin)(conn)
                if gone and not attempt:
                    continue
                self.available = False
                return False
            link.checkin(conn)
            self.available = True
            return True
        return False

    def json_field(self, name: str) -> str:
        return f"(doc::jsonb ->> '{name}')"

    def allow_waiting(self, allowed: bool) -> None:
        """Nothing to do: requests on PostgreSQL never wait on the plain loop (they are bridged
        or on threads)."""

    def transaction(
        self,
        write: bool = True,
        *,
        wait: bool | None = None,
        serialize_on: str | None = None,
        single_read: bool = False,
    ) -> _Transaction:
        single_read = single_read and not write
        return _Transaction(
            self,
            _SINGLE_READ if single_read else _SERIALIZABLE,
            serialize_on=serialize_on if write else None,
            reads_version=True,
            single_read=single_read,
        )

    @contextmanager
    def bulk_cache(self, mebibytes: int = 256) -> Iterator[None]:
        yield  # the server's shared buffers serve every connection; nothing to size per load

    def state_transaction(self, write: bool = True) -> _Transaction:
        """For the server state's verbs (see state_postgres): READ COMMITTED for writes, and
        autocommit for reads, each one statement (one round trip, not three)."""
        return _Transaction(self, "BEGIN ISOLATION LEVEL READ COMMITTED" if write else "")

    def schema_transaction(self) -> _Transaction:
        """READ COMMITTED: the statements after the schema lock see what the previous holder of
        the lock committed (a SERIALIZABLE snapshot would be older than the lock)."""
        return _Transaction(self, "BEGIN ISOLATION LEVEL READ COMMITTED")

    def lock_schema(self) -> None:
        self._execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK_KEY,))

    def run_script(self, sql: str) -> None:
        slot = self._slot()
        self._send_held_back(slot)
        _noting_failure(slot, slot.link.run, slot.conn, sql)

    def migrations_applied(self) -> list[str]:
        return [row[0] for row in self._execute("SELECT name FROM migrations ORDER BY name", ())]
