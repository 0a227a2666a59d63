"""The SQLite engine: one connection per process, WAL, explicit write transactions.

Durability: every write transaction commits before the response is sent. In WAL mode with
``synchronous=NORMAL`` a committed transaction survives a crash of the process (``kill -9``);
``durable=True`` (``synchronous=FULL``) also survives a crash of the operating system, at the
cost of an fsync per write. Several processes may share one file; writes take the lock up front
(``BEGIN IMMEDIATE``) so they never deadlock.

The write lock is never waited for while holding the event loop: the connection's busy timeout
is 0, a transaction opened with ``wait=False`` raises :class:`StoreBusy` at once when another
process holds the lock (the server then retries the request on a worker thread), and one opened
with ``wait=True`` retries for at most ``lock_wait`` seconds, releasing the process's own lock
between tries, before it gives up with :class:`StoreUnavailable`. Reads need no lock in WAL mode
and run each statement on its own snapshot, with no BEGIN/COMMIT of their own: within a process
the store's lock already serializes them with the writes, and a GET answer costs two statements
less.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from chime_local.store.base import (
    DRAWN_KEYS,
    DrawnKeyTaken,
    DuplicateKey,
    StoreBusy,
    StoreError,
    StoreUnavailable,
)
from chime_local.store.migrations import SQLITE_MIGRATIONS, run_migrations
from chime_local.store.sql import SqlVerbs
from chime_local.store.state_sqlite import SqliteServerState

LOCK_WAIT_SECONDS = 10.0


# the drawn keys as SQLite's "UNIQUE constraint failed: TABLE.COLUMN" ends
_DRAWN_COLUMNS = tuple(f": {table}.{column}" for table, column in DRAWN_KEYS)


def translate(error: BaseException) -> StoreError | None:
    """The engine-neutral error for an SQLite failure, or None when it is not the engine's."""
    if isinstance(error, sqlite3.IntegrityError) and "UNIQUE" in str(error):
        if str(error).endswith(_DRAWN_COLUMNS):
            return DrawnKeyTaken(str(error))
        return DuplicateKey(str(error))
    if isinstance(error, sqlite3.OperationalError):
        text = str(error)
        if "locked" in text or "busy" in text:
            return StoreBusy(f"the database file is locked by another process ({text})")
        if "full" in text or "disk I/O" in text:
            return StoreUnavailable(f"the database cannot take the write ({text})")
    return None


class _Transaction:
    """The context manager behind :meth:`SqliteStore.transaction` (a class: it is on every
    request's path, and a generator-based context manager costs several times more)."""

    __slots__ = ("_outermost_write", "_store", "_wait", "_write")

    def __init__(self, store: SqliteStore, write: bool, wait: bool | None) -> None:
        self._store = store
        self._write = write
        self._wait = getattr(store._thread, "may_wait", True) if wait is None else wait
        self._outermost_write = False

    def __enter__(self) -> None:
        store = self._store
        store._lock.acquire()
        if store._depth or not self._write:
            store._depth += 1
            return
        deadline = time.monotonic() + store.lock_wait
        pause = 0.001
        while True:
            try:
                store._db.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as error:
                store._lock.release()
                problem = translate(error) or StoreUnavailable(str(error))
                if not isinstance(problem, StoreBusy) or not self._wait:
                    raise problem from error
                if time.monotonic() >= deadline:
                    raise StoreUnavailable(
                        f"the database file stayed locked for {store.lock_wait:g}s"
                    ) from error
            time.sleep(pause)  # the process's lock is released: other threads go on meanwhile
            pause = min(pause * 2, 0.05)
            store._lock.acquire()
        store._depth = 1
        self._outermost_write = True

    def __exit__(self, error_type: type[BaseException] | None, error: object, _: object) -> None:
        store = self._store
        try:
            if self._outermost_write:
                self._finish(commit=error_type is None)
            else:
                store._depth -= 1
        finally:
            store._lock.release()
        if isinstance(error, sqlite3.Error) and (problem := translate(error)) is not None:
            raise problem from error

    def _finish(self, commit: bool) -> None:
        db = self._store._db
        try:
            if commit:
                db.execute("COMMIT")
            elif db.in_transaction:  # SQLite rolls back by itself on some errors (a full disk)
                db.execute("ROLLBACK")
        except sqlite3.Error as failure:
            if db.in_transaction:
                db.execute("ROLLBACK")
            problem = translate(failure)
            if problem is None:
                raise
            raise problem from failure
        finally:
            self._store._depth = 0


class SqliteStore(SqlVerbs):
    """All state of one emulator in one SQLite file (or in memory)."""

    engine = "sqlite"
    blocks = False
    available = True
    concurrency = 4  # threads that may wait for another process's write lock at once

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        durable: bool = False,
        lock_wait: float = LOCK_WAIT_SECONDS,
    ) -> None:
        self.path = str(path) if path is not None else ":memory:"
        self.lock_wait = lock_wait
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._execute = self._db.execute
        self._execute_many = self._db.executemany
        self._write = self._db.execute  # nothing to save by holding a write back
        self._depth = 0
        self._lock = threading.RLock()
        self._thread = threading.local()  # may_wait: see allow_waiting
        try:
            self._db.execute("PRAGMA busy_timeout = 0")
            if self.path != ":memory:":
                self._retry_while_locked(lambda: self._db.execute("PRAGMA journal_mode = WAL"))
            self._db.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
            run_migrations(self, SQLITE_MIGRATIONS)
            # the server's own state: clock, fault rules, rate buckets, request log, token secret
            self.state = SqliteServerState(self._db, self.transaction, private=self.in_memory)
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise StoreUnavailable(
                f"{self.path} is not a usable SQLite database: {error}"
            ) from None
        except BaseException:
            self._db.close()
            raise

    def _retry_while_locked(self, step: Callable[[], object]) -> None:
        """Run a start-up step that SQLite's busy handler does not cover (switching to WAL while
        another process opens the same new file), retrying for at most ``lock_wait`` seconds."""
        deadline = time.monotonic() + self.lock_wait
        while True:
            try:
                step()
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.01)

    @property
    def in_memory(self) -> bool:
        return self.path == ":memory:"

    def describe(self) -> str:
        return "memory" if self.in_memory else f"sqlite:{self.path}"

    def close(self) -> None:
        self._db.close()

    async def aclose(self) -> None:
        """Nothing: this engine holds nothing on the event loop."""

    def off_loop(self, function: Callable[..., object], *args: Any) -> None:
        """Call it: this engine's requests that may wait run on threads or in-process (on the
        loop the emulator raises ``WouldBlock`` first)."""
        function(*args)

    def pause(self, seconds: float) -> None:
        """A retry of a locked write waits on a worker thread or in-process: sleep."""
        time.sleep(seconds)

    def ping(self) -> bool:
        return True

    def json_field(self, name: str) -> str:
        return f"json_extract(doc, '$.{name}')"

    def allow_waiting(self, allowed: bool) -> None:
        """Whether this thread's transactions may wait for another process's write lock (not
        on the event loop): the server state's writes (rate buckets, fault counts, admin
        changes) follow it as the request's own transaction does."""
        self._thread.may_wait = allowed

    def transaction(
        self,
        write: bool = True,
        *,
        wait: bool | None = None,
        serialize_on: str | None = None,
        single_read: bool = False,
    ) -> _Transaction:
        """Run a block atomically; nested blocks join the outer transaction. Without ``wait``,
        whether a lock may be waited for is what :meth:`allow_waiting` said for this thread.
        SQLite runs one write at a time anyway, so ``serialize_on`` has nothing to add, and a
        read costs no round trip, so neither has ``single_read``.

        One connection serves every thread of the process (in-process mode may be called from a
        thread pool), so a block holds the store's lock from start to end.
        """
        return _Transaction(self, write, wait)

    @contextmanager
    def bulk_cache(self, mebibytes: int = 256) -> Iterator[None]:
        """A larger page cache while a bulk load runs: inserts into the random-key indexes
        (user IDs, emails, PINs) otherwise thrash the default 2 MiB cache once they outgrow it."""
        previous = self._db.execute("PRAGMA cache_size").fetchone()[0]
        self._db.execute(f"PRAGMA cache_size = {-mebibytes * 1024}")
        try:
            yield
        finally:
            self._db.execute(f"PRAGMA cache_size = {int(previous)}")

    def schema_transaction(self) -> _Transaction:
        return self.transaction()

    def lock_schema(self) -> None:
        """Nothing to do: the migration transaction's ``BEGIN IMMEDIATE`` already excludes every
        other process."""

    def run_script(self, sql: str) -> None:
        for statement in filter(str.strip, sql.split(";")):
            self._db.execute(statement)

    def migrations_applied(self) -> list[str]:
        rows = self._db.execute("SELECT name FROM migrations ORDER BY name")
        return [row[0] for row in rows]
