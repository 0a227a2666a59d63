"""``./run``: serve keeps the user's directory, its help is true, its first set-up speaks."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from chime_local.testing import ServerProcess
from tests.support import sdk_client

ROOT = Path(__file__).parents[2]
RUN = ROOT / "run"


def serve_from(directory: Path, *options: str) -> list[str]:
    """Serve with ``./run`` from ``directory``; create an account; return the files made there."""
    with ServerProcess(
        host=None,
        storage=(),
        extra_args=("--port", "0", "--quiet", *options),
        program=[str(RUN)],
        cwd=directory,
    ) as server:
        sdk_client(server.endpoint_url).create_account(Name="Here")
    return sorted(path.name for path in directory.iterdir())


@pytest.mark.parametrize(
    ("options", "database"),
    [((), "chime-local.db"), (("--db", "relative.db"), "relative.db")],
    ids=["default database", "relative --db"],
)
def test_serve_resolves_paths_where_the_user_stands(
    tmp_path: Path, options: tuple[str, ...], database: str
) -> None:
    before = set(os.listdir(ROOT))
    assert database in serve_from(tmp_path, *options)
    assert set(os.listdir(ROOT)) == before  # nothing landed in the clone


def test_gitignore_covers_the_default_database_files() -> None:
    names = ["chime-local.db", "chime-local.db-wal", "chime-local.db-shm", "sub/relative.db"]
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", *names], cwd=ROOT, capture_output=True, text=True
    )
    assert result.stdout.split() == names


def test_help_names_only_files_that_exist() -> None:
    text = subprocess.run([str(RUN), "help"], capture_output=True, text=True, check=True).stdout
    assert "./run serve" in text
    files = re.findall(r"[\w./-]+\.(?:md|py|toml|json|txt)\b", text)
    assert files, text
    assert [name for name in files if not (ROOT / name).exists()] == []


def test_first_setup_says_what_it_does(tmp_path: Path) -> None:
    env = dict(os.environ, CHIME_LOCAL_VENV=str(tmp_path / "venv"), PYTHON="false")
    result = subprocess.run([str(RUN), "serve"], capture_output=True, text=True, env=env)
    assert result.returncode != 0  # the interpreter "false" makes no environment
    assert "creating the virtual environment" in result.stderr
