"""``serve`` logs one line per request (method, path, operation, status, time, request id),
``--quiet`` logs none, and lines written in batches are all there after SIGTERM."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import pytest

from chime_local.testing import ServerProcess
from tests.support import sdk_client

LINE = re.compile(r"chime_local\.requests GET /accounts ListAccounts 200 [\d.]+ms [0-9a-f-]{36}")
STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO chime_local\.requests ")


@pytest.mark.parametrize(("options", "lines"), [((), 1), (("--quiet",), 0)])
def test_one_log_line_per_request_unless_quiet(options: tuple[str, ...], lines: int) -> None:
    with ServerProcess(db=None, extra_args=options) as server:
        response = sdk_client(server.endpoint_url).list_accounts()
    request_id = response["ResponseMetadata"]["RequestId"]
    logged = [line for line in server.output if LINE.search(line) and request_id in line]
    assert len(logged) == lines
    assert all(STAMP.match(line) for line in logged)  # the format of the other log lines


def test_no_line_lost_when_sigterm_arrives_under_load() -> None:
    """Clients keep calling while the server is stopped: every answer they got is logged."""
    answered: list[str] = []
    stop = threading.Event()
    with ServerProcess(db=None) as server:

        def call_repeatedly(client: Any) -> None:
            while not stop.is_set():
                try:
                    response = client.list_accounts()
                except Exception:  # the server went away mid-call: nothing answered
                    return
                answered.append(response["ResponseMetadata"]["RequestId"])

        clients = [sdk_client(server.endpoint_url) for _ in range(8)]  # boto3 builds one at a time
        callers = [threading.Thread(target=call_repeatedly, args=(c,)) for c in clients]
        for caller in callers:
            caller.start()
        deadline = time.monotonic() + 10
        while len(answered) < 200 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.stop() == 0  # SIGTERM while the callers are still calling
        stop.set()
        for caller in callers:
            caller.join(30)
    logged = {line.split()[-1] for line in server.output if LINE.search(line)}
    assert len(answered) >= 200
    assert set(answered) <= logged
