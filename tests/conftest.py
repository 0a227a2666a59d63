"""Shared fixtures: a real server per test session and engine, boto3 clients each in their own
tenant, and a PostgreSQL cluster for the tests of that engine.

In the default auth mode a 12-digit access key is its own AWS account, so giving every test a
fresh 12-digit key gives it a private tenant on the shared server: tests never see each other's
accounts.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chime_local.store import Store, open_store
from chime_local.testing import ServerProcess
from tests.fuzz.profiles import pytest_terminal_summary  # noqa: F401  (xdist's controller too)
from tests.postgres import ENV_URL, Cluster, server_binaries
from tests.support import sdk_client

ENGINES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """A PostgreSQL server for this test session: CHIME_LOCAL_TEST_POSTGRES, or a throwaway one.

    Without the server binaries the PostgreSQL tests are skipped with a reason, except under
    ``CI=true``, where that is a failure.
    """
    if not os.environ.get(ENV_URL) and server_binaries() is None:
        reason = f"PostgreSQL server binaries not found and {ENV_URL} not set"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    cluster = Cluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster: Cluster) -> str:
    """The URL of a new, empty PostgreSQL database."""
    return postgres_cluster.fresh_database()


@pytest.fixture
def postgres_store(postgres_url: str) -> Iterator[Store]:
    """A PostgreSQL store on a new database, closed after the test."""
    store = open_store(postgres_url)
    yield store
    store.close()


def fresh_database(request: pytest.FixtureRequest, factory: pytest.TempPathFactory) -> Any:
    """A new database of the engine a fixture is parametrized with (``ENGINES``): a PostgreSQL
    URL, or the path of an SQLite file in a new folder."""
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_cluster").fresh_database()
    return factory.mktemp("server") / "chime-local.db"


@pytest.fixture(scope="session", params=ENGINES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """One server per engine: every black-box test runs against SQLite and PostgreSQL."""
    db = fresh_database(request, tmp_path_factory)
    with ServerProcess(db=db, extra_args=("--quiet",)) as process:
        yield process


@pytest.fixture
def make_client(server: ServerProcess) -> Callable[..., Any]:
    def make(access_key: str | None = None, **kwargs: Any) -> Any:
        return sdk_client(server.endpoint_url, access_key, **kwargs)

    return make


@pytest.fixture
def client(make_client: Callable[..., Any]) -> Any:
    """A boto3 chime client in a tenant of its own."""
    return make_client()


@pytest.fixture
def account(client: Any) -> dict[str, Any]:
    account: dict[str, Any] = client.create_account(Name="Example Team")["Account"]
    return account
