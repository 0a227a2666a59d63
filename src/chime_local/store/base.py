"""The store's contract: the domain verbs the service, seed and admin code use, and their values.

Service, seed and admin code import only this module (and :mod:`chime_local.store.kinds`), never
an engine. Two engines implement it: :mod:`chime_local.store.sqlite` (the default, one file per
server) and :mod:`chime_local.store.postgres` (many instances on one database). Both raise the
engine-neutral errors below, so the emulator maps each to its wire answer in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from chime_local.store.state import ServerState

Doc = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Page:
    """Items of one page and the keyset position of the last one (``None``: no more items)."""

    items: list[Doc]
    last_seq: int | None


class StoreError(Exception):
    """A failure of the storage engine itself (never of the request's data)."""


class StoreUnavailable(StoreError):
    """The database cannot be reached or cannot take the write (down, disk full, lock timeout):
    the request changed nothing and may be retried later (503 ``ServiceUnavailableException``)."""


class StoreBusy(StoreUnavailable):
    """Another process holds the write lock and this call was told not to wait for it."""


class RetryTransaction(StoreError):
    """The engine aborted the transaction to keep concurrent ones serializable: run it again."""


class DrawnKeyTaken(RetryTransaction):
    """A unique value the service drew at random (a user's PIN) is taken already: running the
    transaction again draws another. The constraint, not a read before each write, keeps such
    values unique: a read would cost every CreateUser a round trip, under its tenant's lock, for
    a clash that comes once in ten billion draws per user stored."""


# The unique columns (table, column) whose values the service draws at random: each engine
# reports a refused write on one of them as DrawnKeyTaken, any other as DuplicateKey.
DRAWN_KEYS = frozenset({("users", "pin")})


class ReadAgain(StoreError):
    """A ``single_read`` transaction made a second statement after the engine had already ended
    it with its first: run the block again as a plain transaction."""


class DuplicateKey(StoreError):
    """A uniqueness constraint refused the write (a concurrent request took the same key)."""


class Store(Protocol):
    """All state of one emulator, named for what the service does with it."""

    engine: str  # "sqlite" or "postgresql"
    blocks: bool  # whether a call may wait on the network (then the server awaits or offloads it)
    available: bool  # the last known state of the database (for /health)
    concurrency: int  # requests the server runs against this store at once (off the plain loop)

    @property
    def state(self) -> ServerState:
        """The server's own state: clock, fault rules, rate buckets, request log."""
        ...

    @property
    def in_memory(self) -> bool: ...
    def describe(self) -> str: ...
    def close(self) -> None: ...
    def off_loop(self, function: Callable[..., object], *args: Any) -> None:
        """Call ``function`` (it waits on something other than the database) so that it never
        holds up the event loop: on a thread when the caller is a bridged request."""
        ...

    def pause(self, seconds: float) -> None:
        """Wait before a retry, the way this engine's callers may wait (never holding up the
        event loop)."""
        ...

    async def aclose(self) -> None:
        """Release what the server's event loop holds (PostgreSQL: its asynchronous pool)."""
        ...

    def ping(self) -> bool: ...
    def transaction(
        self,
        write: bool = True,
        *,
        wait: bool | None = None,
        serialize_on: str | None = None,
        single_read: bool = False,
    ) -> AbstractContextManager[None]:
        """A transaction; ``wait``: whether a lock may be waited for (False on the event loop;
        None: as :meth:`allow_waiting` said for this thread); ``serialize_on``: writes with the
        same key may be run one at a time (a tenant); ``single_read``: a read the caller can run
        again, which the engine may end together with its first statement (PostgreSQL: one
        round trip), raising :class:`ReadAgain` at a second one."""
        ...

    def allow_waiting(self, allowed: bool) -> None:
        """Whether the transactions of the calling thread may wait for a lock by default."""
        ...

    def bulk_cache(self, mebibytes: int = 256) -> AbstractContextManager[None]: ...
    def migrations_applied(self) -> list[str]: ...
    def token_secret(self) -> bytes: ...

    # accounts
    def insert_account(
        self, tenant: str, account: Doc, settings: Doc, deleted_at: str | None = None
    ) -> None: ...
    def account_exists(self, account_id: str) -> bool: ...
    def all_accounts(self) -> Iterator[tuple[Doc, Doc, str | None]]: ...
    def find_account(self, account_id: str) -> Doc | None: ...
    def get_account(self, tenant: str, account_id: str) -> Doc | None: ...
    def save_account(self, account: Doc) -> None: ...
    def mark_account_deleted(self, account_id: str, deleted_at: str) -> None: ...
    def list_accounts(
        self,
        tenant: str,
        *,
        after: int,
        limit: int,
        name_prefix: str | None = None,
        member_email: str | None = None,
    ) -> Page: ...
    def get_account_settings(self, account_id: str) -> Doc: ...
    def save_account_settings(self, account_id: str, settings: Doc) -> None: ...

    # users
    def insert_user(self, user: Doc, settings: Doc) -> None: ...
    def insert_users(self, rows: Iterable[tuple[Doc, Doc, Doc]]) -> None: ...
    def all_users(self, limit: int) -> Iterator[tuple[Doc, Doc, Doc]]: ...
    def count_all_users(self) -> int: ...
    def user_exists(self, user_id: str) -> bool: ...
    def account_users(self, account_id: str) -> Iterator[tuple[Doc, Doc, Doc]]: ...
    def get_user(self, account_id: str, user_id: str) -> Doc | None: ...
    def get_member(self, tenant: str, account_id: str, user_id: str) -> Doc | None: ...
    def find_user_by_email(self, account_id: str, email: str) -> Doc | None: ...
    def save_user(self, user: Doc) -> None: ...
    def remove_user(self, user_id: str) -> None: ...
    def count_users(self, account_id: str, *, excluding_status: str | None = None) -> int: ...
    def list_users(
        self,
        account_id: str,
        *,
        after: int,
        limit: int,
        email: str | None = None,
        user_type: str | None = None,
    ) -> Page: ...
    def pins_in_use(self, pins: list[str]) -> set[str]: ...
    def pin_in_use(self, pin: str) -> bool: ...
    def get_user_settings(self, user_id: str) -> Doc: ...
    def save_user_settings(self, user_id: str, settings: Doc) -> None: ...
    def get_user_private(self, user_id: str) -> Doc: ...
    def save_user_private(self, user_id: str, private: Doc) -> None: ...

    # keyed records of the low-volume resources
    def put_record(self, kind: str, scope: str, record_id: str, doc: Doc) -> None: ...
    def get_record(self, kind: str, record_id: str, scope: str | None = None) -> Doc | None: ...
    def scope_records(self, kind: str, scope: str) -> list[tuple[int, Doc]]: ...
    def kind_records(self, kind: str) -> list[tuple[str, Doc]]: ...
    def count_records(self, kind: str, scope: str) -> int: ...
    def delete_record(self, kind: str, record_id: str) -> None: ...
    def delete_scope(self, kind: str, scope: str) -> None: ...
    def record_counts(self) -> dict[str, int]: ...
    def clear(self) -> None: ...
