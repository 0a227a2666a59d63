"""Scale figures: a million users bulk-loaded through the seed path (the ``chime-local seed``
command, with its progress bar), against a thousand-user store: lookup latency, database size
per user, memory at rest and under load, load rate, and time to the first answered request."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import orjson

from bench.http_figures import CREDENTIALS, KEY, SECRET, TENANT
from bench.servers import chime_local, free_port, rss_mb, serve_command
from bench.wrk import Load, run_wrk, signed_raw_request

PROBE_ACCOUNT = "0c0c0c0c-0000-4000-8000-000000000001"
PROBE_USER = "0d0d0d0d-0000-4000-8000-000000000001"


@dataclass
class StoreFigures:
    users: int
    load_seconds: float
    users_per_second: float
    bytes_per_user: float
    first_request_seconds: float
    rss_at_rest_mb: float
    rss_under_load_mb: float
    get_user: Load
    list_users_email: Load


def _document(accounts: int, per_account: int) -> bytes:
    probe = accounts // 2
    return orjson.dumps(
        {
            "accounts": [
                {
                    "name": f"Account {a}",
                    "aws_account_id": TENANT,
                    **({"id": PROBE_ACCOUNT} if a == probe else {}),
                    "users": [
                        {
                            "email": f"user{u}@account{a}.example",
                            **({"id": PROBE_USER} if a == probe and u == per_account // 2 else {}),
                        }
                        for u in range(per_account)
                    ],
                }
                for a in range(accounts)
            ]
        }
    )


def _seed(directory: Path, accounts: int, per_account: int) -> tuple[Path, float, float]:
    source, db = directory / "seed.json", directory / "store.db"
    source.write_bytes(_document(accounts, per_account))
    command = [
        sys.executable,
        "-m",
        "chime_local",
        "seed",
        str(source),
        "--db",
        str(db),
        "--create",
    ]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=1800
    ).stdout
    seconds, rate = re.search(r"in ([\d.]+)s[^(]*\(([\d,]+) users/s", output).groups()  # type: ignore[union-attr]
    source.unlink()
    return db, float(seconds), float(rate.replace(",", ""))


def _first_request_seconds(db: Path, credentials: Path) -> float:
    """From process start to the first answered request."""
    port = free_port()
    began = time.perf_counter()
    command = serve_command(port, "--db", str(db), "--credentials", str(credentials))
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_chime_local/health", timeout=1)
                return time.perf_counter() - began
            except OSError:
                if time.perf_counter() - began > 30:
                    raise
                time.sleep(0.002)
    finally:
        process.terminate()
        process.wait(10)


def measure_store(
    directory: Path,
    accounts: int,
    per_account: int,
    seconds: int,
    cpus: tuple[int | None, int | None],
) -> StoreFigures:
    credentials = directory / "credentials.toml"
    credentials.write_text(CREDENTIALS)
    db, load_seconds, rate = _seed(directory, accounts, per_account)
    size = sum(p.stat().st_size for p in directory.glob("store.db*"))
    first = min(_first_request_seconds(db, credentials) for _ in range(3))
    server_cpu, load_cpu = cpus
    with chime_local(db, server_cpu, "--credentials", str(credentials)) as (endpoint, process):
        at_rest = rss_mb(process.pid)

        def sign(path: str) -> list[str]:
            return [signed_raw_request(endpoint, "GET", path, key=KEY, secret=SECRET)]

        email = f"user{per_account // 2}%40account{accounts // 2}.example"
        get_user = run_wrk(
            endpoint, sign(f"/accounts/{PROBE_ACCOUNT}/users/{PROBE_USER}"), 1, seconds, load_cpu
        )
        by_email = run_wrk(
            endpoint,
            sign(f"/accounts/{PROBE_ACCOUNT}/users?user-email={email}"),
            1,
            seconds,
            load_cpu,
        )
        peak = [at_rest]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.1):
                peak.append(rss_mb(process.pid))

        sampler = threading.Thread(target=sample)
        sampler.start()
        run_wrk(
            endpoint, sign(f"/accounts/{PROBE_ACCOUNT}/users/{PROBE_USER}"), 64, seconds, load_cpu
        )
        done.set()
        sampler.join()
    users = accounts * per_account
    return StoreFigures(
        users, load_seconds, rate, size / users, first, at_rest, max(peak), get_user, by_email
    )


def measure_workers(
    db_directory: Path, seconds: int, repeats: int
) -> dict[int, dict[int, list[Load]]]:
    """GetUser from 1 and 2 worker processes; server and load generator share both cores."""
    from bench.http_figures import ACCOUNT, USER, seeded_store

    credentials = db_directory / "credentials.toml"
    credentials.write_text(CREDENTIALS)
    db = seeded_store(db_directory, 1000)
    results: dict[int, dict[int, list[Load]]] = {}
    for workers in (1, 2):
        with chime_local(
            db, None, "--credentials", str(credentials), "--workers", str(workers)
        ) as (endpoint, _):
            request = [
                signed_raw_request(
                    endpoint, "GET", f"/accounts/{ACCOUNT}/users/{USER}", key=KEY, secret=SECRET
                )
            ]
            for connections in (16, 64):
                for _ in range(repeats):
                    load = run_wrk(endpoint, request, connections, seconds, None)
                    results.setdefault(workers, {}).setdefault(connections, []).append(load)
                    print(
                        f"  workers={workers} c={connections:<3d} {load.requests_per_second:9.0f} req/s  p99 {load.p99_ms:.2f} ms"
                    )
    return results
