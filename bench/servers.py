"""Servers under test, each started on loopback (optionally pinned to a core) and always stopped."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pinned(command: list[str], cpu: int | None) -> list[str]:
    return ["taskset", "-c", str(cpu), *command] if cpu is not None else command


def wait_until_up(url: str, timeout: float = 30.0) -> float:
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
    command: list[str], probe: str, cpu: int | None = None, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        _pinned(command, cpu),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
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


def serve_command(port: int, *options: str) -> list[str]:
    return [sys.executable, "-m", "chime_local", "serve", "--port", str(port), "--quiet", *options]


@contextmanager
def chime_local(
    db: Path | None, cpu: int | None, *extra: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    storage = ["--db", str(db)] if db else ["--in-memory"]
    command = serve_command(port, *storage, *extra)
    endpoint = f"http://127.0.0.1:{port}"
    with process(command, f"{endpoint}/_chime_local/health", cpu) as proc:
        yield endpoint, proc


@contextmanager
def bare_asgi(cpu: int | None, protocol: str) -> Iterator[str]:
    """The bare app with uvicorn's ``stock`` protocol or chime-local's ``batching`` one."""
    port = free_port()
    command = [sys.executable, str(HERE / "bare_asgi.py"), str(port), protocol]
    with process(command, f"http://127.0.0.1:{port}/", cpu):
        yield f"http://127.0.0.1:{port}"


@contextmanager
def moto_server(cpu: int | None) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with process(command, f"http://127.0.0.1:{port}/moto-api/", cpu):
        yield f"http://127.0.0.1:{port}"


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
