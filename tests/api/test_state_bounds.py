"""The request log stays bounded over HTTP: it kept the parsed parameters of rejected 5 MB
requests, and 60 of them took a server from 48 MB to 354 MB (an issue-15 finding). Bucket expiry
with many access keys is tested with an injected clock in tests/unit/test_state_wiring.py."""

from __future__ import annotations

import json
from pathlib import Path

from chime_local.testing import ServerProcess
from tests.api.test_shared_state import connect


def resident_mebibytes(server: ServerProcess) -> int:
    assert server._process is not None
    status = Path(f"/proc/{server._process.pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) // 1024


def test_rejected_large_requests_leave_memory_flat_and_the_log_small(tmp_path: Path) -> None:
    with ServerProcess(db=tmp_path / "bounds.db", extra_args=("--quiet",)) as server:
        worker = connect(server)
        for _ in range(20):
            worker.call("GET", "/accounts")
        before = resident_mebibytes(server)
        huge = {"Name": "x" * 3_500_000}  # under the body-size limit, so it is parsed
        for _ in range(30):
            status, _, _ = worker.call("POST", "/accounts", huge)
            assert status in (400, 413)
        grown = resident_mebibytes(server) - before
        logged = worker.admin("GET", "requests?limit=30")[1]["Requests"]
        worker.connection.close()
    assert grown < 40, f"resident memory grew by {grown} MiB"  # 100 MiB if the log kept them
    assert all(len(json.dumps(entry)) < 2000 for entry in logged)
