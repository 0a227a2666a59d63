"""Where a GetUser's time goes: the stages inside the live server, and the same work in a loop.

In the server (``bench/timed_server.py``, 16 connections): the ASGI adapter before the pipeline,
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

import boto3

from bench.http_figures import CREDENTIALS, KEY, SECRET
from bench.servers import HERE, free_port, wait_until_up
from bench.wrk import run_wrk, signed_raw_request
from chime_local import Emulator
from chime_local.auth.credentials import load_credentials
from chime_local.auth.header import parse_authorization
from chime_local.auth.strict import SignatureVerifier
from chime_local.config import Config
from chime_local.protocol.http import HttpRequest
from chime_local.service.accounts import new_account
from chime_local.service.context import Caller
from chime_local.service.users import create_user

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


def tight_loop(credentials: Path, calls: int = 20000) -> dict[str, float]:
    """Microseconds per call of the pipeline, of SigV4 verification and of the user lookup."""
    config = Config(credentials=load_credentials(credentials), log_requests=False)
    emulator = Emulator(config)
    assert config.credentials is not None
    tenant = config.credentials[KEY].aws_account_id
    ctx = emulator.context(Caller(KEY, tenant))
    with emulator.store.transaction():
        account = new_account(ctx, "Bench")
        params = {"AccountId": account["AccountId"], "Email": "jane.doe@example.com"}
        user = create_user(ctx, params)["User"]
    path = f"/accounts/{account['AccountId']}/users/{user['UserId']}"
    request = _as_request(
        signed_raw_request("http://127.0.0.1:8000", "GET", path, key=KEY, secret=SECRET)
    )
    assert emulator.handle(request).status == 200
    header = parse_authorization(request.headers.get("authorization"))
    verifier, now = SignatureVerifier(), datetime.now(UTC)
    store = emulator.store
    figures = {
        "pipeline_us": _microseconds(lambda: emulator.handle(request), calls),
        "sigv4_us": _microseconds(lambda: verifier.verify(request, header, SECRET, now), calls),
        "lookup_us": _microseconds(
            lambda: store.get_member(tenant, account["AccountId"], user["UserId"]), calls
        ),
    }
    emulator.close()
    return figures


def in_server(
    credentials: Path, seconds: int, cpus: tuple[int | None, int | None]
) -> dict[str, float]:
    """The stages of a GetUser inside a live server under 16 connections, in microseconds."""
    server_cpu, load_cpu = cpus
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    command = [sys.executable, str(HERE / "timed_server.py"), "serve", "--port", str(port)]
    command += ["--in-memory", "--quiet", "--credentials", str(credentials)]
    if server_cpu is not None:
        command = ["taskset", "-c", str(server_cpu), *command]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_up(f"{endpoint}/_chime_local/health")
        client = boto3.client(
            "chime",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=KEY,
            aws_secret_access_key=SECRET,
        )
        account = client.create_account(Name="Bench")["Account"]["AccountId"]
        user = client.create_user(AccountId=account, Email="jane.doe@example.com")["User"]
        path = f"/accounts/{account}/users/{user['UserId']}"
        request = signed_raw_request(endpoint, "GET", path, key=KEY, secret=SECRET)
        load = run_wrk(endpoint, [request], 16, seconds, load_cpu)
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
    with tempfile.TemporaryDirectory() as tmp:
        credentials = Path(tmp) / "credentials.toml"
        credentials.write_text(CREDENTIALS)
        return {
            "in_server": in_server(credentials, seconds, cpus),
            "tight": tight_loop(credentials),
        }


if __name__ == "__main__":
    print(measure(5, (0, 1)))
