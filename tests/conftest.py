"""Shared fixtures: a real server per test session, and boto3 clients each in their own tenant.

In the default auth mode a 12-digit access key is its own AWS account, so giving every test a
fresh 12-digit key gives it a private tenant on the shared server: tests never see each other's
accounts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chime_local.testing import ServerProcess
from tests.fuzz.profiles import pytest_terminal_summary  # noqa: F401  (xdist's controller too)
from tests.support import sdk_client


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    db = tmp_path_factory.mktemp("server") / "chime-local.db"
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
