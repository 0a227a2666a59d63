"""pytest fixtures for suites using chime-local, registered by the ``pytest11`` entry point.

* ``chime``: an in-process emulator, fresh for each test (no socket, no thread);
* ``chime_client``: a boto3 ``chime`` client answered by that emulator;
* ``chime_server``: a real ``chime-local serve`` on an ephemeral loopback port, with
  ``.endpoint_url``, stopped after the test; ``chime_server_session`` is the same for a whole
  session.

Clients built inside these fixtures find the Chime model even when botocore has none.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chime_local.emulator import Emulator
from chime_local.model.datapath import packaged_model_for_sdks
from chime_local.testing.inprocess import mock_chime
from chime_local.testing.server import ServerProcess


@pytest.fixture
def chime() -> Iterator[Emulator]:
    with mock_chime() as emulator:
        yield emulator


@pytest.fixture
def chime_client(chime: Emulator) -> Any:
    import boto3

    return boto3.client(
        "chime",
        region_name="us-east-1",
        aws_access_key_id="AKIACHIMELOCAL000000",
        aws_secret_access_key="chime-local-secret",
    )


@pytest.fixture
def chime_server() -> Iterator[ServerProcess]:
    with packaged_model_for_sdks(), ServerProcess(db=None, extra_args=("--quiet",)) as server:
        yield server


@pytest.fixture(scope="session")
def chime_server_session() -> Iterator[ServerProcess]:
    with packaged_model_for_sdks(), ServerProcess(db=None, extra_args=("--quiet",)) as server:
        yield server
