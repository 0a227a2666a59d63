"""Servers under test, each started on loopback (optionally pinned to a core) and always stopped."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

HERE = Path(__file__).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pinned(command: list[str], cpu: int | None) -> list[str]:
    return ["taskset", "-c", str(cpu), *command] if cpu is not None else command


def wait_until_up(url: str, timeout: float = 90.0) -> float:
    """Poll until the URL answers at all (any status); returns the seconds it took."""
    began = time.perf_counter()
    while time.perf_counter() - began < timeout:
        try:
            urllib.request.urlopen(url, timeout=1)
            return time.perf_counter() - began
        except urllib.error.HTTPError:
            return time.perf_counter() - began
        except OSError:
            time.sleep(0.005)
    raise TimeoutError(f"{url} did not come up")


@contextmanager
def process(
    command: list[str],
    probe: str,
    cpu: int | None = None,
    env: dict[str, str] | None = None,
    stderr: IO[bytes] | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        _pinned(command, cpu),
        stdout=subprocess.DEVNULL,
        stderr=stderr or subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    try:
        wait_until_up(probe)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def serve_command(port: int, *options: str, quiet: bool = True) -> list[str]:
    command = [sys.executable, "-m", "chime_local", "serve", "--port", str(port), *options]
    return [*command, "--quiet"] if quiet else command


@contextmanager
def chime_local(
    db: Path | None, cpu: int | None, *extra: str, log: Path | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A server started with ``--quiet``, or logging every request into the file ``log``."""
    port = free_port()
    storage = ["--db", str(db)] if db else ["--in-memory"]
    command = serve_command(port, *storage, *extra, quiet=log is None)
    endpoint = f"http://127.0.0.1:{port}"
    with contextlib.ExitStack() as stack:
        stderr = stack.enter_context(log.open("wb")) if log is not None else None
        with process(command, f"{endpoint}/_chime_local/health", cpu, stderr=stderr) as proc:
            yield endpoint, proc


@contextmanager
def bare_asgi(cpu: int | None, protocol: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The bare app with uvicorn's ``stock`` protocol or chime-local's ``batching`` one."""
    port = free_port()
    command = [sys.executable, str(HERE / "bare_asgi.py"), str(port), protocol]
    with process(command, f"http://127.0.0.1:{port}/", cpu) as proc:
        yield f"http://127.0.0.1:{port}", proc


@contextmanager
def moto_server(cpu: int | None) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with process(command, f"http://127.0.0.1:{port}/moto-api/", cpu) as proc:
        yield f"http://127.0.0.1:{port}", proc


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used (taskset runs its command in its own pid)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process, its children now and those it has waited for (a database server
    and its backends)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    waited = (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
    return waited + sum(_cpu_or_zero(each) for each in [pid, *_children(pid)])


def _cpu_or_zero(pid: int) -> float:
    try:
        return cpu_seconds(pid)
    except OSError:  # it ended meanwhile
        return 0.0


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the server may run under taskset)."""
    total = 0
    for candidate in [pid, *_children(pid)]:
        try:
            status = Path(f"/proc/{candidate}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    kids = [int(p) for p in found]
    return kids + [grandchild for kid in kids for grandchild in _children(kid)]
