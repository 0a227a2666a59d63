"""Every user mistake at the command line is one line, a distinct status, and no changed data.

One table: each row prepares a fresh directory (a chime-local database, seed files, a foreign
SQLite file, a text file posing as a database), runs the real ``chime-local`` command in a
subprocess, and asserts the exit status, a one-line stderr without a traceback that names the
problem, and that every file in the directory is byte-identical afterwards (nothing created,
nothing changed). Read-only cases run the command as an unprivileged user when the tests run
as root (root writes through file modes).
"""

from __future__ import annotations

import http.server
import os
import socket
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

from chime_local.cli import errors
from chime_local.store import open_store

UNPRIVILEGED = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
SEED = "accounts:\n  - name: Acme\n    users:\n      - email: jane@acme.example\n"
BAD_YAML = "accounts:\n  - name: Acme\n    users: [\n      - email: x\n"


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    status: int
    says: str  # a part of the one line the command must print
    env: dict[str, str] = field(default_factory=dict)
    read_only: str | None = None  # a path in the directory to make read-only first
    unprivileged: bool = False


STATE_COMMANDS = {
    "seed": ("seed", "seed.yaml"),
    "import": ("import", "seed.yaml"),
    "export": ("export",),
    "reset": ("reset",),
    "accept-invitation": ("accept-invitation", "an-account", "a-user"),
}

CASES: dict[str, Case] = {
    "serve: port in use": Case(
        ("serve", "--in-memory", "--port", "{busy}"), errors.NETWORK, "already in use"
    ),
    "serve: port out of range": Case(
        ("serve", "--in-memory", "--port", "70000"), errors.USAGE, "0 to 65535"
    ),
    "serve: negative port": Case(
        ("serve", "--in-memory", "--port", "-1"), errors.USAGE, "0 to 65535"
    ),
    "serve: host does not resolve": Case(
        ("serve", "--in-memory", "--port", "0", "--host", "no-such-host.invalid"),
        errors.NETWORK,
        "does not resolve",
    ),
    "serve: bad variable": Case(
        ("serve", "--in-memory"), errors.USAGE, "CHIME_LOCAL_PORT", env={"CHIME_LOCAL_PORT": "x"}
    ),
    "serve: bad switch variable": Case(
        ("serve", "--in-memory", "--port", "0"),
        errors.USAGE,
        "CHIME_LOCAL_DURABLE",
        env={"CHIME_LOCAL_DURABLE": "maybe"},
    ),
    "serve: unknown option": Case(("serve", "--no-such-option"), errors.USAGE, "--no-such"),
    "serve: db in a missing directory": Case(
        ("serve", "--port", "0", "--db", "missing/chime.db"), errors.DATABASE, "does not exist"
    ),
    "serve: db is a directory": Case(
        ("serve", "--port", "0", "--db", "folder"), errors.DATABASE, "is a directory"
    ),
    "serve: db is not a database": Case(
        ("serve", "--port", "0", "--db", "text.db"), errors.DATABASE, "not a SQLite database"
    ),
    "serve: db of another application": Case(
        ("serve", "--port", "0", "--db", "other.db"), errors.DATABASE, "another application"
    ),
    **{
        name: Case(args, errors.DATABASE, "read-only", read_only=path, unprivileged=True)
        for name, args, path in [
            ("serve: read-only db", ("serve", "--port", "0", "--db", "chime.db"), "chime.db"),
            (
                "serve: read-only directory",
                ("serve", "--port", "0", "--db", "locked/chime.db"),
                "locked",
            ),
            ("export: read-only db", ("export", "--db", "chime.db"), "chime.db"),
        ]
    },
    "seed: YAML error": Case(
        ("seed", "bad.yaml", "--db", "chime.db"), errors.INPUT, "bad.yaml:4:7:"
    ),
    "seed: missing seed file": Case(
        ("seed", "absent.yaml", "--db", "chime.db"), errors.INPUT, "absent.yaml"
    ),
    "export: --db and --endpoint together": Case(
        ("export", "--db", "chime.db", "--endpoint", "http://127.0.0.1:1"),
        errors.USAGE,
        "not allowed",
    ),
    **{
        f"{name}: db does not exist": Case(
            (*args, "--db", "absent.db"), errors.DATABASE, "absent.db does not exist"
        )
        for name, args in STATE_COMMANDS.items()
    },
    **{
        f"{name}: nothing listens at the endpoint": Case(
            (*args, "--endpoint", "http://127.0.0.1:{closed}"), errors.ENDPOINT, "nothing answers"
        )
        for name, args in STATE_COMMANDS.items()
    },
    **{
        f"{name}: endpoint is not chime-local": Case(
            (*args, "--endpoint", "{foreign}"), errors.ENDPOINT, "not a chime-local server"
        )
        for name, args in STATE_COMMANDS.items()
    },
    "export: nothing listens at CHIME_LOCAL_ENDPOINT": Case(
        ("export",),
        errors.ENDPOINT,
        "nothing answers",
        env={"CHIME_LOCAL_ENDPOINT": "http://127.0.0.1:{closed}"},
    ),
}


class _NotChime(http.server.BaseHTTPRequestHandler):
    """A web server that is not chime-local: HTML for every request."""

    def _answer(self) -> None:
        body = b"<html><body>Welcome</body></html>"
        self.send_response(200 if self.command == "GET" else 404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def foreign_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotChime)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield sock.getsockname()[1]


def closed_port() -> int:
    """A loopback port where nothing listens: bound, then closed."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def workdir() -> Iterator[Path]:
    """A directory every user can enter (the unprivileged cases run inside it)."""
    with tempfile.TemporaryDirectory(prefix="chime-local-cli-") as name:
        root = Path(name)
        root.chmod(0o755)
        open_store(str(root / "chime.db")).close()
        (root / "seed.yaml").write_text(SEED)
        (root / "bad.yaml").write_text(BAD_YAML)
        (root / "text.db").write_text("not a database\n")
        (root / "folder").mkdir()
        (root / "locked").mkdir()
        with sqlite3.connect(root / "other.db") as other:
            other.execute("CREATE TABLE notes (text TEXT)")
        other.close()
        for path in root.rglob("*"):
            path.chmod(0o777 if path.is_dir() else 0o666)
        yield root


def snapshot(root: Path) -> dict[str, bytes | None]:
    return {
        str(path.relative_to(root)): None if path.is_dir() else path.read_bytes()
        for path in sorted(root.rglob("*"))
    }


def run_cli(case: Case, root: Path, values: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "chime_local", *(a.format(**values) for a in case.args)]
    if case.unprivileged and os.geteuid() == 0:
        command = [*UNPRIVILEGED, *command]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIME_LOCAL_")}
    env.update({k: v.format(**values) for k, v in case.env.items()})
    return subprocess.run(
        command, cwd=root, env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_mistake_is_one_line_a_status_and_no_change(
    name: str, workdir: Path, busy_port: int, foreign_server: str
) -> None:
    case = CASES[name]
    if case.read_only:
        target = workdir / case.read_only
        target.chmod(stat.S_IMODE(target.stat().st_mode) & ~0o222)
    before = snapshot(workdir)
    values = {"busy": str(busy_port), "closed": str(closed_port()), "foreign": foreign_server}

    result = run_cli(case, workdir, values)

    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert case.says in lines[0], lines[0]
    assert result.returncode == case.status, result.stderr
    assert snapshot(workdir) == before


def test_the_statuses_are_distinct_and_documented() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    statuses = [
        errors.REFUSED,
        errors.USAGE,
        errors.INPUT,
        errors.DATABASE,
        errors.ENDPOINT,
        errors.NETWORK,
    ]
    assert len(set(statuses)) == len(statuses)
    assert errors.USAGE == 2
    for status in statuses:
        assert f"| `{status}` |" in readme


@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["export"]])
def test_postgresql_without_its_extra_is_one_line(command: list[str]) -> None:
    """Installed without the ``postgres`` extra (psycopg hidden here), a PostgreSQL ``--db``
    says what to install, in one line with the database status, and starts nothing."""
    program = (
        "import sys; sys.modules['psycopg'] = None\n"  # as if it were not installed
        "from chime_local.cli import main\n"
        "sys.exit(main(sys.argv[1:]))"
    )
    url = "postgresql://chime@127.0.0.1:1/chime"
    done = subprocess.run(
        [sys.executable, "-c", program, *command, "--db", url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == errors.DATABASE
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "pip install 'chime-local[postgres]'" in done.stderr


@pytest.mark.parametrize(
    ("change", "cause"),
    [
        (lambda url: url.rsplit("/", 1)[0] + "/nosuchdb", 'database "nosuchdb" does not exist'),
        (lambda url: url.replace("chime@", "nosuchuser@"), 'role "nosuchuser" does not exist'),
    ],
    ids=["no such database", "no such user"],
)
def test_a_wrong_postgresql_url_says_why_in_one_line(
    postgres_cluster: Any, change: Any, cause: str
) -> None:
    url = change(postgres_cluster.admin_url)
    done = subprocess.run(
        [sys.executable, "-m", "chime_local", "export", "--db", url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == errors.DATABASE
    assert done.stderr.count("\n") == 1 and cause in done.stderr, done.stderr


def test_a_postgresql_user_not_allowed_to_create_the_tables_is_told_in_one_line(
    postgres_cluster: Any,
) -> None:
    """PostgreSQL 15 gives no one but a database's owner CREATE on its public schema."""
    url = postgres_cluster.fresh_database()
    role = f"reader_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN")
        conn.execute(f"REVOKE CREATE ON SCHEMA public FROM PUBLIC, {role}")
    done = subprocess.run(
        [sys.executable, "-m", "chime_local", "export", "--db", url.replace("chime@", f"{role}@")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == errors.DATABASE
    assert done.stderr.count("\n") == 1, done.stderr
    assert "permission denied for schema public" in done.stderr
