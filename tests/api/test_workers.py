"""Supervision of ``--workers``: workers die with the parent, a dead worker is replaced, and the
parent's exit status says what happened. Real servers, real signals (Linux ``/proc``)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from uvicorn.supervisors.multiprocess import SIGNALS

from chime_local.config import Config
from chime_local.server.serve import _uvicorn_config, bind
from chime_local.server.workers import Supervisor, WorkerApp
from chime_local.testing import ServerProcess
from tests.support import fresh_tenant, sdk_client

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc (Linux)")


def children(pid: int) -> set[int]:
    """Live (not zombie) child processes of ``pid``, read from /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def workers_of(server: ServerProcess) -> set[int]:
    assert server._process is not None
    # the workers, not multiprocessing's resource tracker (which has no socket of ours)
    return {
        pid
        for pid in children(server._process.pid)
        if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text()
    }


def serving(server: ServerProcess) -> bool:
    client = sdk_client(server.endpoint_url, fresh_tenant())
    return all(client.list_accounts()["Accounts"] == [] for _ in range(6))


def test_workers_end_when_the_parent_is_killed_and_the_port_is_free_again(
    tmp_path: Path,
) -> None:
    db = tmp_path / "workers.db"
    server = ServerProcess(
        db=db, extra_args=("--quiet", "--workers", "2"), startup_timeout=60
    ).start()
    try:
        workers = workers_of(server)
        assert len(workers) == 2
        assert server.kill() == -signal.SIGKILL
        assert wait_for(lambda: not any(alive(pid) for pid in workers), 5), "orphan workers"
    finally:
        for pid in workers_of(server) if server.running else ():
            os.kill(pid, signal.SIGKILL)
    port = str(urlsplit(server.endpoint_url).port)
    with ServerProcess(db=db, extra_args=("--quiet", "--port", port)) as again:
        assert again.endpoint_url == server.endpoint_url
        assert serving(again)


def test_a_dead_worker_is_replaced(tmp_path: Path) -> None:
    with ServerProcess(
        db=tmp_path / "workers.db", extra_args=("--quiet", "--workers", "2"), startup_timeout=60
    ) as server:
        first = workers_of(server)
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        assert wait_for(lambda: len(workers_of(server) - first) == 1, 10), "not replaced"
        survivors = workers_of(server)
        assert victim not in survivors and len(survivors) == 2
        assert serving(server)
        assert server.stop() == 0


def test_workers_that_cannot_start_stop_the_parent_with_a_failure_status(tmp_path: Path) -> None:
    config = Config(db_path=str(tmp_path), log_requests=False)  # a directory: no database
    sock = bind("127.0.0.1", 0)
    # the supervisor installs its own signal handlers: this test's process gets its own back
    handlers = {sig: signal.getsignal(sig) for sig in SIGNALS}
    try:
        supervisor = Supervisor(
            _uvicorn_config(WorkerApp(config, os.getpid()), config, 2), [sock], "ready"
        )
        began = time.monotonic()
        supervisor.run()
        assert supervisor.exit_status() == 3
        assert time.monotonic() - began < 30
    finally:
        sock.close()
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
