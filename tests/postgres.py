"""A throwaway PostgreSQL cluster for the tests, or the one ``CHIME_LOCAL_TEST_POSTGRES`` names.

Without that variable, the tests start their own cluster from the PostgreSQL server binaries
(Debian's ``postgresql`` package, which ``./run test`` installs when it runs as root): ``initdb``
into a temporary folder, ``pg_ctl start`` on a free loopback port with a private socket folder,
``fsync`` off (the cluster dies with the tests). PostgreSQL refuses to run as root, so under root
the cluster runs as the unprivileged ``nobody`` user. The folder is removed at the end. Every test
that needs a database gets a fresh one (``fresh_database``), so tests never share state.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any

import psycopg

ENV_URL = "CHIME_LOCAL_TEST_POSTGRES"


def server_binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl`` (Debian keeps them off PATH)."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    return Path(versions[0]).parent if versions else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Cluster:
    """A PostgreSQL server for tests: ``admin_url`` reaches its maintenance database."""

    def __init__(self) -> None:
        self.admin_url = os.environ.get(ENV_URL, "")
        self.own = not self.admin_url
        self.folder: Path | None = None
        self.port = 0

    def start(self) -> Cluster:
        if self.own:
            self._initdb()
            self.resume()
            self.admin_url = f"postgresql://chime@127.0.0.1:{self.port}/postgres"
        return self

    def _run_as_owner(self, *command: str) -> None:
        options: dict[str, Any] = {}
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            options = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
        subprocess.run(command, check=True, capture_output=True, timeout=60, **options)

    def _initdb(self) -> None:
        binaries = server_binaries()
        assert binaries is not None, "PostgreSQL server binaries not found"
        self.bin = binaries
        self.folder = Path(tempfile.mkdtemp(prefix="chime-local-pg-"))
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(self.folder, nobody.pw_uid, nobody.pw_gid)
        self.port = free_port()
        self._run_as_owner(
            str(binaries / "initdb"),
            "-D", str(self.folder / "data"), "-U", "chime", "-A", "trust", "-E", "UTF8",
            "--no-sync",
        )  # fmt: skip

    def resume(self) -> None:
        """Start (or restart after ``pause``) the cluster on its port."""
        assert self.folder is not None
        options = (
            f"-k {self.folder} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c max_connections=300"
        )
        self._run_as_owner(
            str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-w",
            "-l", str(self.folder / "log"), "-o", options, "start",
        )  # fmt: skip

    def pause(self) -> None:
        """Stop the server (fast: clients are disconnected); ``resume`` brings it back."""
        assert self.folder is not None
        self._run_as_owner(
            str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-w", "-m", "fast", "stop"
        )

    def fresh_database(self) -> str:
        """The URL of a new, empty database."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.admin_url.rsplit("/", 1)[0] + f"/{name}"

    def stop(self) -> None:
        if self.own and self.folder is not None:
            try:
                self.pause()
            finally:
                shutil.rmtree(self.folder, ignore_errors=True)


def advisory_locks(url: str) -> int:
    """How many advisory locks any session holds in the database at ``url``."""
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'").fetchone()
    assert row is not None
    return int(row[0])


def open_transactions(url: str) -> int:
    """How many sessions sit idle inside a transaction on the server of ``url``."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%'"
        ).fetchone()
    assert row is not None
    return int(row[0])
