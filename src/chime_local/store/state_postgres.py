"""The PostgreSQL engine's :class:`~chime_local.store.state.ServerState`: the SQLite engine's
verbs over the pooled connections, with PostgreSQL's forms where the dialects differ.

State calls run in READ COMMITTED transactions of their own (a request's records use
SERIALIZABLE): each is one atomic statement (``UPDATE ... WHERE fired < count RETURNING``, an
upsert for a token bucket), which READ COMMITTED re-evaluates on the latest row instead of
failing a serialization check, so two instances taking a token or firing a rule at once both get
an answer. The read-then-write verbs (advancing the clock, adding a ``--fault`` rule once) lock
the state row first. The
rate buckets and the request log are ``UNLOGGED`` tables (migration ``0003_server_state``):
state a crash of the database may lose without harm, written without the WAL's cost.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from chime_local.store.state import ClockSetting
from chime_local.store.state_sqlite import SqliteServerState

if TYPE_CHECKING:
    from chime_local.store.postgres import PostgresStore

_TAKE_TOKEN = """
    INSERT INTO state_rate_buckets AS bucket (access_key, tokens, updated, granted)
    VALUES (%(key)s, %(burst)s - 1, %(now)s, 1)
    ON CONFLICT (access_key) DO UPDATE SET
        tokens = least(%(burst)s, bucket.tokens + greatest(0, %(now)s - bucket.updated) * %(rate)s)
            - (least(%(burst)s, bucket.tokens
                     + greatest(0, %(now)s - bucket.updated) * %(rate)s) >= 1)::int,
        granted = (least(%(burst)s, bucket.tokens
                         + greatest(0, %(now)s - bucket.updated) * %(rate)s) >= 1)::int,
        updated = %(now)s
    RETURNING granted
"""


class _Statements:
    """The part of a DB-API connection the SQLite state verbs use, on the store's connection of
    the current transaction (``?`` placeholders are rewritten by the store)."""

    def __init__(self, store: PostgresStore) -> None:
        self._store = store

    def execute(self, sql: str, args: Sequence[Any] | dict[str, Any] = ()) -> Any:
        return self._store._execute(sql, args)  # type: ignore[arg-type]

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._store._execute_many(sql, rows)


class PostgresServerState(SqliteServerState):
    """Server state in the ``state_*`` tables of the shared PostgreSQL database."""

    take_token_sql = _TAKE_TOKEN

    def __init__(self, store: PostgresStore) -> None:
        super().__init__(_Statements(store), store.state_transaction)  # type: ignore[arg-type]
        self._store = store

    def version(self) -> int:
        """Inside a request's transaction, the version its opening read along with its first
        statement (no round trip of its own); elsewhere, one autocommit read."""
        seen = self._store.version_seen()
        return super().version() if seen is None else seen

    def advance_clock(self, seconds: float) -> ClockSetting:
        with self._transaction(True):
            self._lock_state()  # one advance at a time
            return super().advance_clock(seconds)

    def _lock_state(self) -> None:
        self._db.execute("SELECT 1 FROM state_server FOR UPDATE")
