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
from urllib.parse import parse_qsl

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
from chime_local.protocol.parser import parse_request
from chime_local.service import HANDLERS

_SPLIT = re.compile(
    r"SPLIT requests=(\d+) adapter_in_us=([\d.]+) pipeline_us=([\d.]+) response_us=([\d.]+)"
)


def _as_request(raw: str) -> HttpRequest:
    head_text, _, body = raw.partition("\r\n\r\n")
    head = head_text.split("\r\n")
    method, target, _ = head[0].split(" ")
    path, _, query = target.partition("?")
    headers = {name.lower(): value for name, value in (line.split(": ", 1) for line in head[1:])}
    return HttpRequest(method, path, query, headers, body.encode())


def _microseconds(call: Callable[[], Any], calls: int) -> float:
    for _ in range(200):
        call()
    began = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - began) / calls * 1e6


def tight_loop(db: Path, credentials: Path, calls: int = 20000) -> dict[str, Any]:
    """Microseconds per call of the pipeline, of SigV4 verification and of the user lookup."""
    config = Config(db_path=str(db), credentials=load_credentials(credentials), log_requests=False)
    emulator = Emulator(config)
    request = _as_request(chime_requests("http://127.0.0.1:8000", "GetUser")[0])
    assert emulator.handle(request).status == 200
    header = parse_authorization(request.headers.get("authorization"))
    verifier, now = SignatureVerifier(), datetime.now(UTC)
    store = emulator.store
    figures: dict[str, Any] = {
        "pipeline_us": _microseconds(lambda: emulator.handle(request), calls),
        "sigv4_us": _microseconds(lambda: verifier.verify(request, header, SECRET, now), calls),
        "lookup_us": _microseconds(lambda: store.get_member(TENANT, ACCOUNT, USER), calls),
        "steps": pipeline_steps(emulator, calls),
    }
    emulator.close()
    return figures


STEP_KINDS = ("GetUser", "ListUsers user-email", "CreateUser")


def pipeline_steps(emulator: Emulator, calls: int = 20000) -> dict[str, dict[str, float]]:
    """Per operation, microseconds of the whole pipeline in a tight loop and of the four generic
    steps a plan compiled per operation would fuse, each alone: routing, parsing, validation,
    and shaping and encoding the response (the handler's own result, JSON-encoded)."""
    return {kind: _steps_of(emulator, kind, calls) for kind in STEP_KINDS}


def _steps_of(emulator: Emulator, kind: str, calls: int) -> dict[str, float]:
    raws = chime_requests("http://127.0.0.1:8000", kind, count=3000, run=7)
    requests = [_as_request(raw) for raw in raws]
    request = requests[0]
    query = dict(parse_qsl(request.query, keep_blank_values=True)) if request.query else {}
    match = emulator.router.route(request.method, request.path, query)
    operation = match.operation
    params = parse_request(operation, match.labels, query, request.body)
    caller = emulator.authenticator.authenticate(request)
    with emulator.store.transaction(operation.writes):
        result = HANDLERS[operation.name](emulator.context(caller), dict(params))
    if len(requests) == 1:
        whole = _microseconds(lambda: emulator.handle(request), calls)
    else:  # each CreateUser its own email; the first one made the result above
        fresh = iter(requests[1:])
        whole = _microseconds(lambda: emulator.handle(next(fresh)), len(requests) - 201)
    return {
        "pipeline_us": whole,
        "route_us": _microseconds(
            lambda: emulator.router.route(request.method, request.path, query), calls
        ),
        "parse_us": _microseconds(
            lambda: parse_request(operation, match.labels, query, request.body), calls
        ),
        "validate_us": _microseconds(
            lambda: emulator.validator.validate(operation.input_shape, dict(params)), calls
        ),
        "shape_us": _microseconds(
            lambda: emulator.serializer.success(operation, result, "request-id"), calls
        ),
    }


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


def measure(seconds: int, cpus: tuple[int | None, int | None]) -> dict[str, dict[str, Any]]:
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
