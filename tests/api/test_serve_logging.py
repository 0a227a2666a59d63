"""``serve`` logs one line per request (method, path, operation, status, time, request id), and
``--quiet`` logs none."""

from __future__ import annotations

import re

import pytest

from chime_local.testing import ServerProcess
from tests.support import sdk_client

LINE = re.compile(r"chime_local\.requests GET /accounts ListAccounts 200 [\d.]+ms [0-9a-f-]{36}")


@pytest.mark.parametrize(("options", "lines"), [((), 1), (("--quiet",), 0)])
def test_one_log_line_per_request_unless_quiet(options: tuple[str, ...], lines: int) -> None:
    with ServerProcess(db=None, extra_args=options) as server:
        response = sdk_client(server.endpoint_url).list_accounts()
    request_id = response["ResponseMetadata"]["RequestId"]
    logged = [line for line in server.output if LINE.search(line) and request_id in line]
    assert len(logged) == lines
