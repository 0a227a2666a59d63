"""The one check of a ``--db`` value before any command opens it.

A mistake in ``--db`` must be one clear line, not a ``sqlite3`` traceback, and must change no
data: so the path is inspected first (directory, parent, permissions, SQLite header) and an
existing database is opened read-only to see whether it is chime-local's. URLs (``scheme://``)
name other engines and are left to the store that handles them.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from chime_local.cli.errors import DATABASE, CliError

_SQLITE_HEADER = b"SQLite format 3\x00"
_FIRST_MIGRATION = "0001_accounts_and_users"


def check_database(db: str, *, must_exist: bool) -> None:
    """Raise :class:`CliError` if ``db`` cannot serve as chime-local's database.

    ``must_exist``: the commands that only act on existing state (export, reset, seed, import,
    accept-invitation) refuse a missing file instead of creating an empty database.
    """
    if "://" in db:
        return
    path = Path(db)
    if path.is_dir():
        raise CliError(DATABASE, f"--db {db} is a directory: give a file path inside it")
    if not path.exists():
        _check_new(db, path, must_exist)
        return
    if not os.access(path, os.R_OK | os.W_OK):
        raise CliError(DATABASE, f"--db {db} is read-only: make it writable or copy it")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise CliError(
            DATABASE,
            f"the directory of --db {db} is read-only (SQLite writes its journal there): "
            "make it writable or move the database",
        )
    _check_contents(db, path)


def _check_new(db: str, path: Path, must_exist: bool) -> None:
    if must_exist:
        raise CliError(
            DATABASE,
            f"--db {db} does not exist: check the path (seed and import make a new one with "
            "--create)",
        )
    parent = path.parent
    if not parent.is_dir():
        raise CliError(DATABASE, f"the directory of --db {db} does not exist: create {parent}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise CliError(
            DATABASE, f"the directory of --db {db} is read-only: choose a writable directory"
        )


def _check_contents(db: str, path: Path) -> None:
    with path.open("rb") as file:
        header = file.read(len(_SQLITE_HEADER))
    if not header:
        return  # an empty file: SQLite makes it a new database
    if header != _SQLITE_HEADER:
        raise CliError(
            DATABASE, f"--db {db} is not a SQLite database: give chime-local's file or a new path"
        )
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            applied = (
                {row[0] for row in connection.execute("SELECT name FROM migrations")}
                if "migrations" in tables
                else set()
            )
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise CliError(DATABASE, f"--db {db} cannot be read: {exc}") from None
    if tables and _FIRST_MIGRATION not in applied:
        raise CliError(
            DATABASE,
            f"--db {db} is a SQLite database of another application: give chime-local's "
            "file or a new path",
        )
