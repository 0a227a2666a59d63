"""The PostgreSQL engine: many instances on one database, through psycopg 3 and its pool.

Every call of a request runs in one transaction on one pooled connection (kept per thread while
the transaction is open). Transactions are SERIALIZABLE, reads included: the service checks its
limits and uniqueness by reading and then writing (one email per account, 25 numbers per
tenant, 10 bots, ...), and under SERIALIZABLE PostgreSQL aborts one of two transactions that
raced on the same rows or ranges instead of letting both commit. The aborted one surfaces as
:class:`RetryTransaction`, which the emulator runs again; constraints (unique user ids, PINs,
record keys) back the rest and surface as :class:`DuplicateKey`.

Every wait is bounded: connecting (``connect_timeout``), a pool checkout (``pool_timeout``), a
statement (``statement_timeout``) and a silent peer (TCP keepalives and ``tcp_user_timeout``).
A database that is down or unreachable turns into :class:`StoreUnavailable` (a 503) within those
bounds; the pool reconnects in the background, and a stale connection found at ``BEGIN`` is
replaced once, so the instance recovers without a restart. A COMMIT whose answer was lost is
reported as unavailable, never as success. Calls block on the network, so the server runs
requests for this engine on worker threads (``blocks = True``).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

from chime_local.store.base import (
    DuplicateKey,
    RetryTransaction,
    StoreError,
    StoreUnavailable,
)
from chime_local.store.migrations import POSTGRES_MIGRATIONS, run_migrations
from chime_local.store.sql import SqlVerbs
from chime_local.store.state_postgres import PostgresServerState

POOL_SIZE = 16
CONNECT_TIMEOUT_SECONDS = 3
POOL_TIMEOUT_SECONDS = 5.0
# While the database is known to be away, a checkout waits this long only: one request's several
# store steps (state check, its transaction, the request log) then answer 503 in about a second
# instead of a pool timeout each; the first checkout that succeeds marks the store available.
OUTAGE_CHECKOUT_SECONDS = 0.3
STATEMENT_TIMEOUT_MS = 5000
# An INSERT of plain values, which _execute_many sends as COPY.
_PLAIN_INSERT = re.compile(r"INSERT INTO (\w+) \(([\w, ]+)\) VALUES \([?, ]+\)$")
MIGRATION_LOCK_KEY = 0x636869_6D65  # pg_advisory_xact_lock key of the migration run


def translate(error: BaseException) -> StoreError | None:
    """The engine-neutral error for a psycopg failure, or None when it is not the engine's."""
    if isinstance(error, pg_errors.SerializationFailure | pg_errors.DeadlockDetected):
        return RetryTransaction(str(error))
    if isinstance(error, pg_errors.UniqueViolation):
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


class _Transaction:
    """One transaction on a pooled connection; nested blocks join the outer one.

    With a ``serialize_on`` key, the connection first takes a session advisory lock on it (before
    ``BEGIN``, so the transaction's snapshot is taken once the lock is held) and releases it
    after the end: writes of one tenant then run one after another on every instance, so
    they do not keep aborting each other under SERIALIZABLE, which still guards what crosses
    tenants.
    """

    __slots__ = ("_begin", "_outermost", "_serialize_on", "_store")

    def __init__(
        self,
        store: PostgresStore,
        begin: str = "BEGIN ISOLATION LEVEL SERIALIZABLE",
        serialize_on: str | None = None,
    ) -> None:
        self._store = store
        self._begin = begin
        self._serialize_on = serialize_on
        self._outermost = False

    def __enter__(self) -> None:
        local = self._store._local
        if getattr(local, "conn", None) is not None:
            local.depth += 1
            return
        lock = None if self._serialize_on is None else _lock_key(self._serialize_on)
        local.conn = self._store._begin(self._begin, lock)
        local.depth = 1
        self._outermost = True

    def __exit__(self, error_type: type[BaseException] | None, error: object, _: object) -> None:
        store = self._store
        local = store._local
        if not self._outermost:
            local.depth -= 1
            return
        conn: psycopg.Connection[Any] = local.conn
        local.conn = None
        try:
            if self._begin:  # (an autocommit block has nothing to end)
                conn.execute("COMMIT" if error_type is None else "ROLLBACK")
        except psycopg.Error as failure:
            store.available = not isinstance(translate(failure), StoreUnavailable)
            _raise_translated(failure)
            raise
        finally:
            if self._serialize_on is not None and not conn.broken:
                with contextlib.suppress(psycopg.Error):  # a lost connection drops the lock
                    conn.execute("SELECT pg_advisory_unlock_all()")
            store._pool.putconn(conn)  # a broken connection is discarded by the pool
        if isinstance(error, BaseException):
            _raise_translated(error)
        store.available = True


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
        self.concurrency = pool_size  # one request thread per pooled connection
        self.available = True
        self._local = threading.local()
        self._sql: dict[str, str] = {}
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            timeout=pool_timeout,
            open=False,
            name="chime-local",
            kwargs={
                "autocommit": True,  # transactions are opened explicitly, SERIALIZABLE
                "connect_timeout": connect_timeout,
                "options": f"-c statement_timeout={statement_timeout_ms}",
                "keepalives": 1,
                "keepalives_idle": 5,
                "keepalives_interval": 2,
                "keepalives_count": 2,
                "tcp_user_timeout": statement_timeout_ms + 1000,  # a silent peer: just past it
                "application_name": "chime-local",
            },
        )
        try:
            self._pool.open(wait=True, timeout=connect_timeout + 1)
            run_migrations(self, POSTGRES_MIGRATIONS)
            self.state = PostgresServerState(self)  # clock, faults, rate buckets, log
        except PoolTimeout as error:
            self._pool.close()
            raise StoreUnavailable(f"cannot reach PostgreSQL at {self.describe()}") from error
        except BaseException:
            self._pool.close()
            raise

    # -- the connection ---------------------------------------------------------------------

    def _begin(self, begin: str, lock: int | None = None) -> psycopg.Connection[Any]:
        """A pooled connection inside ``begin`` (empty: autocommit); a stale one (the server
        restarted since it was opened) is discarded and replaced once, as nothing has been sent
        on it yet."""
        for attempt in range(2):
            try:
                conn = self._pool.getconn(None if self.available else OUTAGE_CHECKOUT_SECONDS)
            except PoolTimeout as error:
                self.available = False
                raise StoreUnavailable(
                    f"no connection to PostgreSQL at {self.describe()} within the pool timeout"
                ) from error
            try:
                if lock is not None:
                    conn.execute("SELECT pg_advisory_lock(%s)", (lock,))
                if begin:
                    conn.execute(begin)
                return conn
            except psycopg.Error as error:
                if lock is not None and not conn.broken:
                    with contextlib.suppress(psycopg.Error):  # never pool a held lock
                        conn.execute("SELECT pg_advisory_unlock_all()")
                self._pool.putconn(conn)
                if attempt or not conn.broken:
                    self.available = False
                    _raise_translated(error)
                    raise
        raise AssertionError("unreachable")

    def _execute(self, sql: str, args: Sequence[Any]) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:  # a verb called outside a transaction runs in one of its own
            with self.transaction():
                return self._execute(sql, args)
        text = self._sql.get(sql)
        if text is None:
            text = self._sql[sql] = sql.replace("?", "%s")
        return conn.execute(text, args)

    def _execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            with self.transaction():
                self._execute_many(sql, rows)
                return
        plain_insert = _PLAIN_INSERT.match(sql)
        with conn.cursor() as cursor:
            if plain_insert is None:
                cursor.executemany(sql.replace("?", "%s"), list(rows))
                return
            table, columns = plain_insert.groups()  # bulk loads: COPY is several times faster
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

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

    def ping(self) -> bool:
        """Whether the database answers now (bounded by the pool and statement timeouts)."""
        try:
            with self.transaction(write=False):
                self._execute("SELECT 1", ())
        except StoreUnavailable:
            return False
        return True

    def json_field(self, name: str) -> str:
        return f"(doc::jsonb ->> '{name}')"

    def allow_waiting(self, allowed: bool) -> None:
        """Nothing to do: requests on PostgreSQL always run on worker threads."""

    def transaction(
        self, write: bool = True, *, wait: bool | None = None, serialize_on: str | None = None
    ) -> _Transaction:
        return _Transaction(self, serialize_on=serialize_on if write else None)

    @contextmanager
    def bulk_cache(self, mebibytes: int = 256) -> Iterator[None]:
        yield  # the server's shared buffers serve every connection; nothing to size per load

    def state_transaction(self, write: bool = True) -> _Transaction:
        """For the server state's verbs (see state_postgres): READ COMMITTED for writes, and
        autocommit for reads, each one statement (the version read on every request costs one
        round trip, not three)."""
        return _Transaction(self, "BEGIN ISOLATION LEVEL READ COMMITTED" if write else "")

    def schema_transaction(self) -> _Transaction:
        """READ COMMITTED: the statements after the schema lock see what the previous holder of
        the lock committed (a SERIALIZABLE snapshot would be older than the lock)."""
        return _Transaction(self, "BEGIN ISOLATION LEVEL READ COMMITTED")

    def lock_schema(self) -> None:
        self._execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK_KEY,))

    def run_script(self, sql: str) -> None:
        self._local.conn.execute(sql)

    def migrations_applied(self) -> list[str]:
        return [row[0] for row in self._execute("SELECT name FROM migrations ORDER BY name", ())]
