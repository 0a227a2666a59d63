"""Where a GetUser's time goes: the stages inside the live server, and the same work in a loop.

The GetUser is the one the HTTP figures replay, on the same 1,000-user store. In the server
(``bench/timed_server.py``, 16 connections): the ASGI adapter before the pipeline,
the pipeline (``Emulator.handle``: SigV4 verification through serialization) and the adapter's
response ``send`` calls; whatever is left of the request's share of one core is uvicorn's
parsing, the event loop and the socket writes. In a tight loop in this process: the whole
pipeline, SigV4 verification alone and the store's lookup alone, for the same signed request.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.http_figures import (
    ACCOUNT,
    CREDENTIALS,
    SECRET,
    TENANT,
    USER,
    chime_requests,
    seeded_store,
)
from bench.servers import HERE, free_port, wait_until_up
from bench.wrk import run_wrk
from chime_local import Emulator
from chime_local.auth.credentials import load_credentials
from chime_local.auth.header import parse_authorization
from chime_local.auth.strict import SignatureVerifier
from chime_local.config import Config
from chime_local.protocol.http import HttpRequest

_SPLIT = re.compile(
    r"SPLIT requests=(\d+) adapter_in_us=([\d.]+) pipeline_us=([\d.]+) response_us=([\d.]+)"
)


def _as_request(raw: str) -> HttpRequest:
    head = raw.split("\r\n\r\n")[0].split("\r\n")
    method, target, _ = head[0].split(" ")
    path, _, query = target.partition("?")
    headers = {name.lower(): value for name, value in (line.split(": ", 1) for line in head[1:])}
    return HttpRequest(method, path, query, headers, b"")


def _microseconds(call: Callable[[], Any], calls: int) -> float:
    for _ in range(200):
        call()
    began = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - began) / calls * 1e6


def tight_loop(db: Path, credentials: Path, calls: int = 20000) -> dict[str, float]:
    """Microseconds per call of the pipeline, of SigV4 verification and of the user lookup."""
    config = Config(db_path=str(db), credentials=load_credentials(credentials), log_requests=False)
    emulator = Emulator(config)
    request = _as_request(chime_requests("http://127.0.0.1:8000", "GetUser")[0])
    assert emulator.handle(request).status == 200
    header = parse_authorization(request.headers.get("authorization"))
    verifier, now = SignatureVerifier(), datetime.now(UTC)
    store = emulator.store
    figures = {
        "pipeline_us": _microseconds(lambda: emulator.handle(request), calls),
        "sigv4_us": _microseconds(lambda: verifier.verify(request, header, SECRET, now), calls),
        "lookup_us": _microseconds(lambda: store.get_member(TENANT, ACCOUNT, USER), calls),
    }
    emulator.close()
    return figures


def in_server(
    db: Path, credentials: Path, seconds: int, cpus: tuple[int | None, int | None]
) -> dict[str, float]:
    """The stages of a GetUser inside a live server under 16 connections, in microseconds."""
    server_cpu, load_cpu = cpus
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    command = [sys.executable, str(HERE / "timed_server.py"), "serve", "--port", str(port)]
    command += ["--db", str(db), "--quiet", "--credentials", str(credentials)]
    if server_cpu is not None:
        command = ["taskset", "-c", str(server_cpu), *command]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_up(f"{endpoint}/_chime_local/health")
        load = run_wrk(endpoint, chime_requests(endpoint, "GetUser"), 16, seconds, load_cpu)
    finally:
        server.send_signal(signal.SIGINT)
        _, stderr = server.communicate(timeout=30)
    found = _SPLIT.search(stderr)
    if found is None:
        raise RuntimeError(f"the timed server reported no split: {stderr[-500:]}")
    _, adapter_in, pipeline, response = (float(value) for value in found.groups())
    return {
        "request_us": 1e6 / load.requests_per_second,
        "adapter_in_us": adapter_in,
        "pipeline_us": pipeline,
        "response_us": response,
    }


def measure(seconds: int, cpus: tuple[int | None, int | None]) -> dict[str, dict[str, float]]:
    """Both views of the GetUser the HTTP figures measure (same store, same signed request)."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        credentials = directory / "credentials.toml"
        credentials.write_text(CREDENTIALS)
        db = seeded_store(directory, 1000)
        return {
            "in_server": in_server(db, credentials, seconds, cpus),
            "tight": tight_loop(db, credentials),
        }


if __name__ == "__main__":
    print(measure(5, (0, 1)))
