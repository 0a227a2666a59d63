"""Load generation with wrk, replaying pre-rendered raw HTTP requests (signed ahead of time).

wrk's Lua has no HMAC, so requests are signed in Python with botocore before the run and written
into a Lua script as raw request strings that wrk cycles through. Each run is bounded by ``-d``.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


@dataclass(frozen=True)
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    server_cpu_us: float = 0.0  # the server's CPU time per request (robust on a busy machine)


def signed_raw_request(
    endpoint: str,
    method: str,
    path: str,
    body: bytes = b"",
    *,
    key: str,
    secret: str,
    service: str = "chime",
    region: str = "us-east-1",
) -> str:
    """One raw HTTP/1.1 request, SigV4-signed by botocore exactly as an SDK would sign it."""
    request = AWSRequest(method=method, url=endpoint + path, data=body)
    if body:
        request.headers["Content-Type"] = "application/json"
    SigV4Auth(Credentials(key, secret), service, region).add_auth(request)
    host = urlsplit(endpoint).netloc
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in request.headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    return "\r\n".join(lines) + "\r\n\r\n" + body.decode()


def _lua(requests: list[str]) -> str:
    def quote(text: str) -> str:
        return (
            '"'
            + text.replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\r", "\\r")
            .replace("\n", "\\n")
            + '"'
        )

    body = ",\n".join(quote(r) for r in requests)
    return (
        f"local requests = {{\n{body}\n}}\nlocal i = 0\n"
        "request = function()\n  i = i % #requests + 1\n  return requests[i]\nend\n"
    )


_LATENCY = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(
    endpoint: str, requests: list[str], connections: int, seconds: int, cpu: int | None
) -> Load:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_lua(requests))
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        script.name,
        endpoint,
    ]
    if cpu is not None:
        command = ["taskset", "-c", str(cpu), *command]
    try:
        output = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 30, check=True
        ).stdout
    finally:
        Path(script.name).unlink()
    return parse_wrk(output)


def parse_wrk(output: str) -> Load:
    """Read wrk's --latency report."""
    latencies = {pct: float(value) * _UNITS[unit] for pct, value, unit in _LATENCY.findall(output)}
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(bad.group(1)) if bad else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Load(rate, latencies.get("50", 0.0), latencies.get("99", 0.0), errors, total)
