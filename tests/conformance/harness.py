"""Runs every scenario through every client against one server and builds the support matrix."""

from __future__ import annotations

import json
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from tests.conformance.checks import problems
from tests.conformance.drivers import CLIENTS
from tests.conformance.scenarios import Scenario, all_scenarios, ids_for, resolve, seed_for


@dataclass
class ClientRun:
    ids: dict[str, str]
    scenarios: dict[str, Scenario]
    results: dict[str, Any]

    def problems(self, name: str) -> list[str]:
        result = self.results.get(name)
        if result is None:
            return ["the client reported no result"]
        return problems(self.scenarios[name], result, self.ids)


def _admin(endpoint: str, path: str, body: Any) -> None:
    request = urllib.request.Request(
        f"{endpoint}/_chime_local/{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()


def run_client(endpoint: str, index: int, client: str) -> ClientRun:
    ids = ids_for(index)
    scenarios = all_scenarios(index)
    _admin(endpoint, "seed", seed_for(ids))
    for scenario in scenarios:
        if scenario.fault:
            rule = {
                "Operation": scenario.operation,
                "Error": scenario.error,
                "Count": 1,
                "AccessKeyId": scenario.access_key,
            }
            _admin(endpoint, "faults", rule)
    run = [
        {
            "name": s.name,
            "operation": s.operation,
            "params": resolve(s.params, ids),
            "accessKey": s.access_key or ids["tenant"],
            "paginate": s.paginate,
        }
        for s in scenarios
    ]
    results = CLIENTS[client](endpoint, run)
    return ClientRun(ids, {s.name: s for s in scenarios}, results)


def run_all(endpoint: str) -> dict[str, ClientRun]:
    return {client: run_client(endpoint, index, client) for index, client in enumerate(CLIENTS)}


def matrix(runs: dict[str, ClientRun]) -> str:
    """Operation x client: how many scenarios of the operation passed."""
    clients = list(runs)
    passed: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    for client, run in runs.items():
        for name, scenario in run.scenarios.items():
            passed[scenario.operation][client].append(not run.problems(name))
    total = sum(len(run.scenarios) for run in runs.values())
    ok = sum(sum(flags) for per_client in passed.values() for flags in per_client.values())
    lines = [
        f"{ok} of {total} scenario runs pass ({len(next(iter(runs.values())).scenarios)} scenarios "
        f"x {len(clients)} clients).",
        "",
        "| Operation | " + " | ".join(clients) + " |",
        "|---|" + "---|" * len(clients),
    ]
    for operation in sorted(passed):
        cells = []
        for client in clients:
            flags = passed[operation][client]
            mark = "pass" if all(flags) else "FAIL"
            cells.append(f"{mark} {sum(flags)}/{len(flags)}")
        lines.append(f"| {operation} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
