"""HTTP figures: chime-local (strict SigV4) beside the bare-ASGI limit and moto, under wrk."""

from __future__ import annotations

import itertools
import json
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from subprocess import Popen
from typing import Any

import boto3

from bench import peer
from bench.servers import bare_asgi, chime_local, cpu_seconds, moto_server
from bench.wrk import Load, run_wrk, signed_raw_request
from chime_local import Emulator
from chime_local.config import Config

KEY, SECRET, TENANT = "AKIABENCH0000000000", "bench-secret", "111122223333"
ACCOUNT = "0a0a0a0a-0000-4000-8000-000000000001"
USER = "0b0b0b0b-0000-4000-8000-000000000500"
CREDENTIALS = f"""[[credentials]]
access_key_id = "{KEY}"
secret_access_key = "{SECRET}"
aws_account_id = "{TENANT}"
user_name = "bench"
"""


# The bare app on uvicorn's own protocol and on chime-local's server stack; the limit a ratio is
# taken against is the faster of the two.
BARE_APPS = {
    "stock": "bare ASGI, uvicorn's protocol",
    "batching": "bare ASGI, chime-local's stack",
}


# GetUser on a server in its default configuration: one log line per request, into a file
LOGGING = "chime-local GetUser, default logging"


@dataclass
class Figures:
    """name -> connections -> one Load per repeat."""

    runs: dict[str, dict[int, list[Load]]] = field(default_factory=dict)

    def add(self, name: str, connections: int, load: Load) -> None:
        self.runs.setdefault(name, {}).setdefault(connections, []).append(load)

    def best(self, name: str, connections: int) -> float:
        return max(load.requests_per_second for load in self.runs[name][connections])

    def limit(self, connections: int) -> float:
        """The bare app's best requests/s, on whichever protocol was faster."""
        return max(self.best(name, connections) for name in BARE_APPS.values())


def bench_document(users: int) -> dict[str, Any]:
    """A seed document of one account of ``users`` users (the 501st is the one GetUser reads)."""
    return {
        "accounts": [
            {
                "id": ACCOUNT,
                "name": "Bench",
                "aws_account_id": TENANT,
                "users": [
                    {"email": f"user{i}@bench.example", **({"id": USER} if i == 500 else {})}
                    for i in range(users)
                ],
            }
        ]
    }


def seeded_store(directory: Path, users: int) -> Path:
    """A database with one account of ``users`` users, loaded through the seed path."""
    db = directory / "bench.db"
    emulator = Emulator(Config(db_path=str(db), log_requests=False))
    emulator.seed(bench_document(users))
    emulator.close()
    return db


def chime_requests(endpoint: str, kind: str, count: int = 1, run: int = 0) -> list[str]:
    def sign(method: str, path: str, body: bytes = b"") -> str:
        return signed_raw_request(endpoint, method, path, body, key=KEY, secret=SECRET)

    if kind == "GetUser":
        return [sign("GET", f"/accounts/{ACCOUNT}/users/{USER}")]
    if kind == "ListUsers user-email":
        return [sign("GET", f"/accounts/{ACCOUNT}/users?user-email=user500%40bench.example")]
    return [
        sign(
            "POST",
            f"/accounts/{ACCOUNT}/users?operation=create",
            json.dumps({"Email": f"new{run}-{i}@bench.example"}).encode(),
        )
        for i in range(count)
    ]


def moto_request(endpoint: str) -> str:
    client = boto3.client(
        "quicksight",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIAMOTO",
        aws_secret_access_key="x",
    )
    peer.register_reader(client)
    path = f"/accounts/{peer.ACCOUNT}/namespaces/{peer.NAMESPACE}/users/{peer.USER}"
    return signed_raw_request(
        endpoint, "GET", path, key="AKIAMOTO", secret="x", service="quicksight"
    )


def measure(
    connections: tuple[int, ...], repeats: int, seconds: int, cpus: tuple[int | None, int | None]
) -> Figures:
    server_cpu, load_cpu = cpus
    figures = Figures()

    def run(name: str, server: tuple[str, Popen[bytes]], requests: list[str], c: int) -> None:
        endpoint, process = server
        before = cpu_seconds(process.pid)
        load = run_wrk(endpoint, requests, c, seconds, load_cpu)
        spent = cpu_seconds(process.pid) - before
        load = replace(load, server_cpu_us=spent * 1e6 / max(load.requests, 1))
        figures.add(name, c, load)
        print(
            f"  {name:24s} c={c:<3d} {load.requests_per_second:9.0f} req/s  p50 {load.p50_ms:.2f} ms  p99 {load.p99_ms:.2f} ms  "
            f"{load.server_cpu_us:.0f} us CPU/request  errors {load.errors}"
        )

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        (directory / "credentials.toml").write_text(CREDENTIALS)
        db = seeded_store(directory, 1000)
        for protocol, name in BARE_APPS.items():
            with bare_asgi(server_cpu, protocol) as bare:
                # the very request chime-local gets (same bytes to parse), a fixed answer
                same_request = chime_requests(bare[0], "GetUser")
                for c in connections:
                    for _ in range(repeats):
                        run(name, bare, same_request, c)
        batches = itertools.count()  # every CreateUser run gets emails of its own
        credentials = ("--credentials", str(directory / "credentials.toml"))
        log = directory / "requests.log"
        with (
            chime_local(db, server_cpu, *credentials) as quiet,
            chime_local(db, server_cpu, *credentials, log=log) as logging,
        ):
            for kind in ("GetUser", "ListUsers user-email", "CreateUser"):
                count = 40000 if kind == "CreateUser" else 1
                for c in connections:
                    for _ in range(repeats):
                        requests = chime_requests(quiet[0], kind, count, next(batches))
                        run(f"chime-local {kind}", quiet, requests, c)
                        if kind == "GetUser":  # the default configuration, run by run beside it
                            run(LOGGING, logging, chime_requests(logging[0], kind), c)
        with moto_server(server_cpu) as moto:
            request = moto_request(moto[0])
            for c in connections:
                for _ in range(repeats):
                    run("moto QuickSight DescribeUser", moto, [request], c)
    return figures


def as_dict(figures: Figures) -> dict[str, Any]:
    return {
        name: {str(c): [load.__dict__ for load in loads] for c, loads in by_c.items()}
        for name, by_c in figures.runs.items()
    }
