"""The domain verbs in SQL both engines speak, written once over a few small hooks.

An engine supplies ``_execute(sql, args)``, ``_write(sql, args)`` (a statement whose result
nobody reads, which an engine may send later in the same transaction) and
``_execute_many(sql, rows)`` (``?`` placeholders; the PostgreSQL engine rewrites them),
``json_field`` (how a member of the JSON ``doc`` column is read) and its connection,
transactions and migrations. Each record table keeps the wire-shaped
document as JSON text in ``doc`` and copies into columns only what is looked up or ordered by;
``seq`` gives a stable insertion order for keyset pagination.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from chime_local.jsonio import dumps_text, loads
from chime_local.store.base import Doc, Page

# Tables emptied by ``clear`` (the schema, the migrations and the token secret stay).
STATE_TABLES = ("accounts", "users", "records")


def _load(text: str) -> Doc:
    document: Doc = loads(text)
    return document


def _dump(document: Doc) -> str:
    return dumps_text(document)


class SqlVerbs:
    """The store's verbs; an engine subclass binds the hooks below."""

    _execute: Callable[[str, Sequence[Any]], Any]
    _write: Callable[[str, Sequence[Any]], Any]
    _execute_many: Callable[[str, Iterable[Sequence[Any]]], Any]

    def json_field(self, name: str) -> str:
        """An SQL expression reading the text of a top-level member of ``doc``."""
        raise NotImplementedError

    def transaction(self, write: bool = True, *, wait: bool = True) -> Any:
        raise NotImplementedError

    # -- accounts -----------------------------------------------------------------------------

    def insert_account(
        self, tenant: str, account: Doc, settings: Doc, deleted_at: str | None = None
    ) -> None:
        self._write(
            "INSERT INTO accounts (account_id, tenant, name, deleted_at, settings, doc) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                account["AccountId"],
                tenant,
                account["Name"],
                deleted_at,
                _dump(settings),
                _dump(account),
            ),
        )

    def account_exists(self, account_id: str) -> bool:
        found = self._execute("SELECT 1 FROM accounts WHERE account_id = ?", (account_id,))
        return found.fetchone() is not None

    def all_accounts(self) -> Iterator[tuple[Doc, Doc, str | None]]:
        """Every account of every tenant, deleted ones included: (doc, settings, deleted_at)."""
        rows = self._execute("SELECT doc, settings, deleted_at FROM accounts ORDER BY seq", ())
        for doc, settings, deleted_at in rows.fetchall():
            yield _load(doc), _load(settings), deleted_at

    def find_account(self, account_id: str) -> Doc | None:
        """An account of any tenant (for the admin API), unless deleted."""
        row = self._execute(
            "SELECT doc FROM accounts WHERE account_id = ? AND deleted_at IS NULL", (account_id,)
        ).fetchone()
        return _load(row[0]) if row else None

    def get_account(self, tenant: str, account_id: str) -> Doc | None:
        row = self._execute(
            "SELECT doc FROM accounts WHERE account_id = ? AND tenant = ? AND deleted_at IS NULL",
            (account_id, tenant),
        ).fetchone()
        return _load(row[0]) if row else None

    def save_account(self, account: Doc) -> None:
        self._write(
            "UPDATE accounts SET name = ?, doc = ? WHERE account_id = ?",
            (account["Name"], _dump(account), account["AccountId"]),
        )

    def mark_account_deleted(self, account_id: str, deleted_at: str) -> None:
        self._write(
            "UPDATE accounts SET deleted_at = ? WHERE account_id = ?", (deleted_at, account_id)
        )
        self._write("DELETE FROM users WHERE account_id = ?", (account_id,))

    def list_accounts(
        self,
        tenant: str,
        *,
        after: int,
        limit: int,
        name_prefix: str | None = None,
        member_email: str | None = None,
    ) -> Page:
        sql = "SELECT seq, doc FROM accounts WHERE tenant = ? AND deleted_at IS NULL AND seq > ?"
        args: list[Any] = [tenant, after]
        if name_prefix is not None:
            sql += " AND substr(name, 1, ?) = ?"
            args += [len(name_prefix), name_prefix]
        if member_email is not None:
            sql += " AND account_id IN (SELECT account_id FROM users WHERE email_lower = ?)"
            args.append(member_email.lower())
        return self._page(sql + " ORDER BY seq LIMIT ?", args, limit)

    def get_account_settings(self, account_id: str) -> Doc:
        row = self._execute(
            "SELECT settings FROM accounts WHERE account_id = ?", (account_id,)
        ).fetchone()
        return _load(row[0])

    def save_account_settings(self, account_id: str, settings: Doc) -> None:
        self._write(
            "UPDATE accounts SET settings = ? WHERE account_id = ?", (_dump(settings), account_id)
        )

    # -- users --------------------------------------------------------------------------------

    def insert_user(self, user: Doc, settings: Doc) -> None:
        self.insert_users([(user, settings, {})])

    def insert_users(self, rows: Iterable[tuple[Doc, Doc, Doc]]) -> None:
        """Insert users with their settings and private data: (doc, settings, private)."""
        self._execute_many(
            "INSERT INTO users (user_id, account_id, email_lower, pin, settings, private, doc) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    user["UserId"],
                    user["AccountId"],
                    user["PrimaryEmail"].lower(),
                    user.get("PersonalPIN"),
                    _dump(settings),
                    _dump(private),
                    _dump(user),
                )
                for user, settings, private in rows
            ],
        )

    def all_users(self, limit: int) -> Iterator[tuple[Doc, Doc, Doc]]:
        """The first users of every account, in insertion order: (doc, settings, private)."""
        rows = self._execute(
            "SELECT doc, settings, private FROM users ORDER BY seq LIMIT ?", (limit,)
        )
        for doc, settings, private in rows.fetchall():
            yield _load(doc), _load(settings), _load(private)

    def count_all_users(self) -> int:
        return int(self._execute("SELECT count(*) FROM users", ()).fetchone()[0])

    def user_exists(self, user_id: str) -> bool:
        found = self._execute("SELECT 1 FROM users WHERE user_id = ?", (user_id,))
        return found.fetchone() is not None

    def account_users(self, account_id: str) -> Iterator[tuple[Doc, Doc, Doc]]:
        """Every user of an account in insertion order: (doc, settings, private)."""
        rows = self._execute(
            "SELECT doc, settings, private FROM users WHERE account_id = ? ORDER BY seq",
            (account_id,),
        )
        for doc, settings, private in rows.fetchall():
            yield _load(doc), _load(settings), _load(private)

    def get_user(self, account_id: str, user_id: str) -> Doc | None:
        row = self._execute(
            "SELECT doc FROM users WHERE user_id = ? AND account_id = ?", (user_id, account_id)
        ).fetchone()
        return _load(row[0]) if row else None

    def get_member(self, tenant: str, account_id: str, user_id: str) -> Doc | None:
        """A user of a live account of the tenant, in one query (the hot path of GetUser)."""
        row = self._execute(
            "SELECT users.doc FROM users JOIN accounts USING (account_id) "
            "WHERE users.user_id = ? AND users.account_id = ? AND accounts.tenant = ? "
            "AND accounts.deleted_at IS NULL",
            (user_id, account_id, tenant),
        ).fetchone()
        return _load(row[0]) if row else None

    def find_user_by_email(self, account_id: str, email: str) -> Doc | None:
        row = self._execute(
            "SELECT doc FROM users WHERE email_lower = ? AND account_id = ?",
            (email.lower(), account_id),
        ).fetchone()
        return _load(row[0]) if row else None

    def save_user(self, user: Doc) -> None:
        self._write(
            "UPDATE users SET pin = ?, doc = ? WHERE user_id = ?",
            (user.get("PersonalPIN"), _dump(user), user["UserId"]),
        )

    def remove_user(self, user_id: str) -> None:
        self._write("DELETE FROM users WHERE user_id = ?", (user_id,))

    def count_users(self, account_id: str, *, excluding_status: str | None = None) -> int:
        sql = "SELECT count(*) FROM users WHERE account_id = ?"
        args: list[Any] = [account_id]
        if excluding_status is not None:
            sql += f" AND coalesce({self.json_field('UserRegistrationStatus')}, '') <> ?"
            args.append(excluding_status)
        row = self._execute(sql, args).fetchone()
        return int(row[0])

    def list_users(
        self,
        account_id: str,
        *,
        after: int,
        limit: int,
        email: str | None = None,
        user_type: str | None = None,
    ) -> Page:
        sql = "SELECT seq, doc FROM users WHERE account_id = ? AND seq > ?"
        args: list[Any] = [account_id, after]
        if email is not None:
            sql += " AND email_lower = ?"
            args.append(email.lower())
        if user_type is not None:
            sql += f" AND {self.json_field('UserType')} = ?"
            args.append(user_type)
        return self._page(sql + " ORDER BY seq LIMIT ?", args, limit)

    def pins_in_use(self, pins: list[str]) -> set[str]:
        """Which of these PINs are taken (one query per 500, for bulk loads)."""
        taken: set[str] = set()
        for start in range(0, len(pins), 500):
            chunk = pins[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._execute(f"SELECT pin FROM users WHERE pin IN ({marks})", chunk)
            taken.update(row[0] for row in rows)
        return taken

    def pin_in_use(self, pin: str) -> bool:
        return self._execute("SELECT 1 FROM users WHERE pin = ?", (pin,)).fetchone() is not None

    def get_user_settings(self, user_id: str) -> Doc:
        row = self._execute("SELECT settings FROM users WHERE user_id = ?", (user_id,)).fetchone()
        return _load(row[0])

    def save_user_settings(self, user_id: str, settings: Doc) -> None:
        self._write("UPDATE users SET settings = ? WHERE user_id = ?", (_dump(settings), user_id))

    def get_user_private(self, user_id: str) -> Doc:
        row = self._execute("SELECT private FROM users WHERE user_id = ?", (user_id,)).fetchone()
        return _load(row[0])

    def save_user_private(self, user_id: str, private: Doc) -> None:
        self._write("UPDATE users SET private = ? WHERE user_id = ?", (_dump(private), user_id))

    # -- keyed records of the low-volume resources ----------------------------------------------

    def put_record(self, kind: str, scope: str, record_id: str, doc: Doc) -> None:
        """Insert or replace a record; a replaced record keeps its place in the order."""
        self._write(
            "INSERT INTO records (kind, scope, record_id, doc) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (kind, record_id) DO UPDATE SET scope = excluded.scope, "
            "doc = excluded.doc",
            (kind, scope, record_id, _dump(doc)),
        )

    def get_record(self, kind: str, record_id: str, scope: str | None = None) -> Doc | None:
        sql = "SELECT doc FROM records WHERE kind = ? AND record_id = ?"
        args: list[Any] = [kind, record_id]
        if scope is not None:
            sql += " AND scope = ?"
            args.append(scope)
        row = self._execute(sql, args).fetchone()
        return _load(row[0]) if row else None

    def scope_records(self, kind: str, scope: str) -> list[tuple[int, Doc]]:
        """Every record of a kind in a scope, in insertion order, with its position."""
        rows = self._execute(
            "SELECT seq, doc FROM records WHERE kind = ? AND scope = ? ORDER BY seq", (kind, scope)
        )
        return [(seq, _load(doc)) for seq, doc in rows]

    def kind_records(self, kind: str) -> list[tuple[str, Doc]]:
        """Every record of a kind, in insertion order, with its scope."""
        rows = self._execute("SELECT scope, doc FROM records WHERE kind = ? ORDER BY seq", (kind,))
        return [(scope, _load(doc)) for scope, doc in rows]

    def count_records(self, kind: str, scope: str) -> int:
        row = self._execute(
            "SELECT count(*) FROM records WHERE kind = ? AND scope = ?", (kind, scope)
        ).fetchone()
        return int(row[0])

    def delete_record(self, kind: str, record_id: str) -> None:
        self._write("DELETE FROM records WHERE kind = ? AND record_id = ?", (kind, record_id))

    def delete_scope(self, kind: str, scope: str) -> None:
        self._write("DELETE FROM records WHERE kind = ? AND scope = ?", (kind, scope))

    def record_counts(self) -> dict[str, int]:
        rows = self._execute("SELECT kind, count(*) FROM records GROUP BY kind", ())
        return {kind: int(count) for kind, count in rows}

    def clear(self) -> None:
        """Remove every record (the schema, migrations and token secret stay)."""
        with self.transaction():
            for table in STATE_TABLES:
                self._execute(f"DELETE FROM {table}", ())

    def token_secret(self) -> bytes:
        row = self._execute("SELECT value FROM meta WHERE key = 'token_secret'", ()).fetchone()
        return bytes.fromhex(row[0])

    # -- helpers ------------------------------------------------------------------------------

    def _page(self, sql: str, args: list[Any], limit: int) -> Page:
        rows = self._execute(sql, [*args, limit + 1]).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        return Page([_load(doc) for _, doc in rows], rows[-1][0] if more else None)
