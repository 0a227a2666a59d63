"""Persistent state behind a narrow interface named in domain verbs. SQL lives only here.

``open_store`` picks the engine from the ``--db`` target: a ``postgresql://`` URL selects
PostgreSQL, anything else is an SQLite file, and ``None`` keeps SQLite in memory.
"""

from __future__ import annotations

from chime_local.store.base import (
    Doc,
    DrawnKeyTaken,
    DuplicateKey,
    Page,
    ReadAgain,
    RetryTransaction,
    Store,
    StoreBusy,
    StoreError,
    StoreUnavailable,
)


def is_postgres_url(target: str | None) -> bool:
    return target is not None and target.startswith(("postgresql://", "postgres://"))


def open_store(target: str | None, *, durable: bool = False, lock_wait: float = 10.0) -> Store:
    """The store for a ``--db`` target (a PostgreSQL URL, an SQLite path, or None: memory)."""
    if is_postgres_url(target):
        try:
            from chime_local.store.postgres import PostgresStore
        except ImportError as missing:  # psycopg, its pool and greenlet come with the extra
            raise StoreError(
                f"PostgreSQL needs chime-local's postgres extra ({missing.name} is not "
                "installed): pip install 'chime-local[postgres]'"
            ) from missing
        assert target is not None
        return PostgresStore(target)
    from chime_local.store.sqlite import SqliteStore

    return SqliteStore(target, durable=durable, lock_wait=lock_wait)


__all__ = [
    "Doc",
    "DrawnKeyTaken",
    "DuplicateKey",
    "Page",
    "ReadAgain",
    "RetryTransaction",
    "Store",
    "StoreBusy",
    "StoreError",
    "StoreUnavailable",
    "is_postgres_url",
    "open_store",
]
