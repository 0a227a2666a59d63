"""pytest fixtures for suites using chime-local, registered by the ``pytest11`` entry point.

``pytest --fixtures`` shows each with its docstring:

* ``chime``: an in-process emulator, fresh for each test (no socket, no thread);
* ``chime_client``: a boto3 ``chime`` client answered by that emulator (typed as
  ``mypy_boto3_chime.ChimeClient`` where those stubs are installed);
* ``chime_server``: a real ``chime-local serve`` on an ephemeral loopback port, with
  ``.endpoint_url``, stopped after the test; ``chime_server_session`` is the same for a whole
  session.

Clients built inside these fixtures find the Chime model even when botocore has none.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from chime_local.emulator import Emulator
from chime_local.model.datapath import packaged_model_for_sdks
from chime_local.testing.inprocess import mock_chime
from chime_local.testing.server import ServerProcess

if TYPE_CHECKING:
    from mypy_boto3_chime import ChimeClient


@pytest.fixture
def chime() -> Iterator[Emulator]:
    """An in-process chime-local emulator, empty, for this test only.

    Every boto3 ``chime`` client is answered by it while the test runs (no socket, no thread).
    Seed it with ``chime.seed({...})``; read it back with ``chime.export()``; move its clock
    with ``chime.clock``; see the calls made with ``chime.recent_calls()``.
    """
    with mock_chime() as emulator:
        yield emulator


@pytest.fixture
def chime_client(chime: Emulator) -> ChimeClient:
    """A boto3 ``chime`` client (region us-east-1, fake credentials) answered by ``chime``."""
    import boto3

    client: ChimeClient = boto3.client(
        "chime",
        region_name="us-east-1",
        aws_access_key_id="AKIACHIMELOCAL000000",
        aws_secret_access_key="chime-local-secret",
    )
    return client


@pytest.fixture
def chime_server() -> Iterator[ServerProcess]:
    """A real ``chime-local serve`` (in memory) on an ephemeral loopback port, for this test.

    Point any client at ``chime_server.endpoint_url``; the server is stopped after the test.
    """
    with packaged_model_for_sdks(), ServerProcess(db=None, extra_args=("--quiet",)) as server:
        yield server


@pytest.fixture(scope="session")
def chime_server_session() -> Iterator[ServerProcess]:
    """Like ``chime_server``, but one server shared by the whole test session (faster)."""
    with packaged_model_for_sdks(), ServerProcess(db=None, extra_args=("--quiet",)) as server:
        yield server
