"""PostgreSQL figures: GetUser and CreateUser at 16 connections with one and two instances on one
database, and a large load (users per second, bytes per user, GetUser p50/p99 at that size).

The database is ``CHIME_LOCAL_BENCH_POSTGRES`` (a URL of a maintenance database on which a
fresh database per run is created) or a throwaway cluster started like the tests' own. With two
instances, one wrk per instance (8 connections each) runs at the same time and their rates add
up; the row ``GetUser_2_nginx`` sends all 16 connections through nginx instead, configured by
``deploy/nginx.conf`` (round robin over the two instances), when nginx is installed.

``python -m bench.postgres_figures USERS SECONDS`` runs it alone (small numbers for a smoke run).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
from tests.nginx import Balancer, nginx_binary
from tests.postgres import Cluster

from bench.http_figures import CREDENTIALS, bench_document, chime_requests
from bench.servers import cpu_seconds, free_port, tree_cpu_seconds, wait_until_up
from bench.wrk import Load, run_wrk
from chime_local import Emulator
from chime_local.config import Config

CONNECTIONS = 16


def seed_users(url: str, users: int) -> dict[str, float]:
    """Load one account of ``users`` users through the seed path: rate and bytes per user."""
    emulator = Emulator(Config(db_path=url, log_requests=False))
    began = time.perf_counter()
    emulator.seed(bench_document(users))
    seconds = time.perf_counter() - began
    emulator.close()
    with psycopg.connect(url) as conn:
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()
    assert size is not None
    return {"users": users, "users_per_second": users / seconds, "bytes_per_user": size[0] / users}


def _serve(url: str, credentials: Path) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "chime_local", "serve", "--port", str(port), "--db", url]
    command += ["--quiet", "--credentials", str(credentials)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until_up(f"{endpoint}/_chime_local/health")
    return server, endpoint


def load(
    url: str,
    credentials: Path,
    instances: int,
    kind: str,
    seconds: int,
    database_pid: int | None = None,
    *,
    through_nginx: bool = False,
) -> dict[str, Any]:
    """``kind`` at 16 connections spread over ``instances`` servers on one database (whose
    server process is ``database_pid`` when this machine runs it: its CPU is measured too);
    ``through_nginx``: all of them through deploy/nginx.conf in front of the instances."""
    servers = [_serve(url, credentials) for _ in range(instances)]
    try:
        with contextlib.ExitStack() as stack:
            endpoints = [endpoint for _, endpoint in servers]
            if through_nginx:
                ports = [int(endpoint.rsplit(":", 1)[1]) for endpoint in endpoints]
                endpoints = [stack.enter_context(Balancer(ports)).endpoint_url]
            per = CONNECTIONS // len(endpoints)

            def one(index: int) -> Load:
                endpoint = endpoints[index]
                requests = chime_requests(endpoint, kind, count=20_000, run=instances * 10 + index)
                return run_wrk(endpoint, requests, per, seconds, None)

            spent = sum(cpu_seconds(server.pid) for server, _ in servers)
            database = tree_cpu_seconds(database_pid) if database_pid else 0.0
            with ThreadPoolExecutor(len(endpoints)) as pool:
                loads = list(pool.map(one, range(len(endpoints))))
            spent = sum(cpu_seconds(server.pid) for server, _ in servers) - spent
            database = tree_cpu_seconds(database_pid) - database if database_pid else 0.0
    finally:
        for server, _ in servers:
            server.terminate()
            server.wait(30)
    rate = sum(load.requests_per_second for load in loads)
    figures = {
        "requests_per_second": rate,
        "p50_ms": max(load.p50_ms for load in loads),
        "p99_ms": max(load.p99_ms for load in loads),
        "server_cpu_us": spent / (rate * seconds) * 1e6,  # of the instances, per request
    }
    if database_pid:
        figures["database_cpu_us"] = database / (rate * seconds) * 1e6
    return figures


def _database_pid(cluster: Cluster) -> int | None:
    """The server process of a cluster this machine runs (None: one given by URL)."""
    if not cluster.own or cluster.folder is None:
        return None
    return int((cluster.folder / "data" / "postmaster.pid").read_text().split()[0])


def measure(users: int, seconds: int) -> dict[str, Any]:
    admin_url = os.environ.get("CHIME_LOCAL_BENCH_POSTGRES", "")
    cluster = Cluster()
    if admin_url:
        cluster.admin_url, cluster.own = admin_url, False
    cluster.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            credentials = Path(tmp) / "credentials.toml"
            credentials.write_text(CREDENTIALS)
            figures: dict[str, Any] = {}
            database = _database_pid(cluster)
            for size in (1000, users):
                url = cluster.fresh_database()
                figures[f"load_{size}"] = seed_users(url, size)
                figures[f"GetUser_{size}_1"] = load(url, credentials, 1, "GetUser", seconds)
            url = cluster.fresh_database()
            seed_users(url, 1000)
            for instances in (1, 2):
                for kind in ("GetUser", "CreateUser"):
                    figures[f"{kind}_{instances}"] = load(
                        url, credentials, instances, kind, seconds, database
                    )
            if nginx_binary() is not None:  # (the row is left out without it)
                figures["GetUser_2_nginx"] = load(
                    url, credentials, 2, "GetUser", seconds, database, through_nginx=True
                )
            return figures
    finally:
        cluster.stop()


if __name__ == "__main__":
    users, seconds = (int(value) for value in sys.argv[1:3])
    for name, value in measure(users, seconds).items():
        print(name, {key: round(number, 3) for key, number in value.items()})


def targets(figures: dict[str, Any], sqlite_get_user: float) -> list[tuple[str, bool]]:
    """Issue targets of the PostgreSQL engine; ``sqlite_get_user``: GetUser/s on SQLite, 16 conn."""
    one, two = (
        figures["GetUser_1"]["requests_per_second"],
        figures["GetUser_2"]["requests_per_second"],
    )
    create = figures["CreateUser_1"]["requests_per_second"]
    sizes = sorted(int(name.split("_")[1]) for name in figures if name.startswith("load_"))
    small, big = figures[f"GetUser_{sizes[0]}_1"], figures[f"GetUser_{sizes[-1]}_1"]
    rate = figures[f"load_{sizes[-1]}"]["users_per_second"]
    return [
        (
            f"PostgreSQL GetUser (1 instance) >= 0.5x SQLite at 16 connections: {one / sqlite_get_user:.2f}x",
            one >= 0.5 * sqlite_get_user,
        ),
        (f"PostgreSQL GetUser with 2 instances >= 1.6x one: {two / one:.2f}x", two >= 1.6 * one),
        (f"PostgreSQL CreateUser >= 1,000/s with one instance: {create:,.0f}/s", create >= 1000),
        (
            f"PostgreSQL {sizes[-1]:,}-user GetUser p50 within 1.3x of {sizes[0]:,}: {big['p50_ms']:.3f} vs {small['p50_ms']:.3f} ms",
            big["p50_ms"] <= 1.3 * small["p50_ms"],
        ),
        (f"PostgreSQL load >= 10,000 users/s: {rate:,.0f} users/s", rate >= 10000),
    ]


def table(figures: dict[str, Any]) -> list[str]:
    """The PostgreSQL section of RESULTS.md."""
    rows = [
        "## PostgreSQL (16 connections; two instances: 8 connections each, rates added; "
        "`_nginx`: all 16 through nginx in front of the two)",
        "",
        "| Measurement | Requests/s or users/s | p50 / p99 ms | Server CPU us/request "
        "| PostgreSQL CPU us/request | Bytes/user |",
        "|---|---|---|---|---|---|",
    ]
    for name, value in figures.items():
        if name.startswith("load_"):
            rows.append(
                f"| load {value['users']:,} users | {value['users_per_second']:,.0f} | | | | {value['bytes_per_user']:,.0f} |"
            )
        else:
            cpu = f"{value['server_cpu_us']:.0f}" if "server_cpu_us" in value else ""
            database = f"{value['database_cpu_us']:.0f}" if "database_cpu_us" in value else ""
            rows.append(
                f"| {name} | {value['requests_per_second']:,.0f} | {value['p50_ms']:.2f} / {value['p99_ms']:.2f} | {cpu} | {database} | |"
            )
    return [*rows, ""]


def analysis(figures: dict[str, Any], sqlite_cpu_us: float) -> list[str]:
    """Why the engine's targets are where they are, from this run's figures; ``sqlite_cpu_us``:
    the server CPU of a GetUser on SQLite at 16 connections."""
    one, two, create = figures["GetUser_1"], figures["GetUser_2"], figures["CreateUser_1"]
    if "server_cpu_us" not in one:
        return []
    ratio = two["requests_per_second"] / one["requests_per_second"]
    short = "" if ratio >= 1.6 else ", short of 1.6x"
    scaling = (
        f"Two instances served {ratio:.2f}x one here{short}: each needs a core of its own, and "
        "PostgreSQL and the two load generators share this machine's two cores with them, so "
        "the figure moves with what else the machine runs."
    )
    database = one.get("database_cpu_us")
    own = (
        f" PostgreSQL itself spent {database:,.0f} us per GetUser, on the same two cores."
        if database
        else ""
    )
    create_database = create.get("database_cpu_us")
    create_cost = f"{create.get('server_cpu_us', 0):,.0f} us of server CPU" + (
        f" and {create_database:,.0f} us of PostgreSQL's" if create_database else ""
    )
    nginx = figures.get("GetUser_2_nginx")
    balanced = (
        f" Through nginx in front of the two instances (deploy/nginx.conf) GetUser ran at "
        f"{nginx['requests_per_second']:,.0f}/s: the balancer's CPU comes out of the same two "
        "cores."
        if nginx
        else ""
    )
    return [
        "PostgreSQL: a Chime request runs on the event loop in a greenlet that awaits each round "
        "trip (`chime_local.store.bridge`). A transaction's opening (the tenant's lock, BEGIN "
        "and the shared state's version) goes with its first statement, a read ends with its "
        "COMMIT in the same query, and writes whose results nobody reads go with the next one: "
        "a GetUser is one round trip, a CreateUser three; the single reads of requests waiting "
        "at once go in one query on one connection (`chime_local.store.pg_reads`). One "
        f"instance spent {one['server_cpu_us']:,.0f} us of CPU per GetUser here, against "
        f"{sqlite_cpu_us:,.0f} us on SQLite, so its core serves at most about "
        f"{1e6 / one['server_cpu_us']:,.0f} a second.{own} 0.5x of SQLite needs the server at "
        "no more than about twice SQLite's CPU per request, with PostgreSQL and the load "
        f"generator on the other core. {scaling}{balanced} The writes of one tenant run one "
        "after another across instances (an advisory lock taken with the opening), so "
        "CreateUser in one tenant, as measured, is bounded by that queue and by the "
        f"{create_cost} each costs.",
        "",
    ]
