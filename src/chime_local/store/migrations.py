"""Named, ordered schema migrations. Append new ones; never edit an applied one.

Each record table keeps the wire-shaped document as JSON in ``doc`` and copies into columns only
what is looked up or ordered by, with indexes that keep point lookups O(log n) at any size.
``seq`` (the rowid) gives a stable insertion order for keyset pagination.

Accounts and users, the hot and large tables, have their own; the low-volume resources (phone
numbers, orders, rooms, memberships, bots, settings documents) share ``records``, keyed by kind
and id and grouped by a scope (the tenant, the account or the room).
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[str, str], ...] = (
    (
        "0001_accounts_and_users",
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE accounts (
            seq INTEGER PRIMARY KEY,
            account_id TEXT NOT NULL UNIQUE,
            tenant TEXT NOT NULL,
            name TEXT NOT NULL,
            deleted_at TEXT,
            settings TEXT NOT NULL,
            doc TEXT NOT NULL
        );
        CREATE INDEX accounts_by_tenant ON accounts (tenant);
        CREATE TABLE users (
            seq INTEGER PRIMARY KEY,
            user_id TEXT NOT NULL UNIQUE,
            account_id TEXT NOT NULL,
            email_lower TEXT NOT NULL,
            pin TEXT UNIQUE,
            settings TEXT NOT NULL,
            private TEXT NOT NULL DEFAULT '{}',
            doc TEXT NOT NULL
        );
        CREATE INDEX users_by_account ON users (account_id);
        CREATE INDEX users_by_email ON users (email_lower);
        """,
    ),
    (
        "0002_records",
        """
        CREATE TABLE records (
            seq INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            scope TEXT NOT NULL,
            record_id TEXT NOT NULL,
            doc TEXT NOT NULL,
            UNIQUE (kind, record_id)
        );
        CREATE INDEX records_by_scope ON records (kind, scope, seq);
        """,
    ),
)
