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
    # The server's own state (clock, fault rules, rate buckets, request log): shared by every
    # worker and instance; see store/state.py. Store.clear leaves the state_* tables alone.
    (
        "0003_server_state",
        """
        CREATE TABLE state_server (
            singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
            version INTEGER NOT NULL,
            clock_fixed TEXT,
            clock_offset REAL NOT NULL,
            calls_cleared_at REAL NOT NULL
        );
        INSERT INTO state_server VALUES (1, 0, NULL, 0, 0);
        CREATE TABLE state_faults (
            rule_id INTEGER PRIMARY KEY,
            operation TEXT NOT NULL,
            error TEXT NOT NULL,
            count INTEGER,
            probability REAL,
            access_key TEXT,
            seed INTEGER NOT NULL,
            draws INTEGER NOT NULL DEFAULT 0,
            fired INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE state_rate_buckets (
            access_key TEXT PRIMARY KEY,
            tokens REAL NOT NULL,
            updated REAL NOT NULL,
            granted INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE state_request_log (
            seq INTEGER PRIMARY KEY,
            calls INTEGER NOT NULL,
            entries TEXT NOT NULL
        )
        """,
    ),
)
