"""One scenario list, three clients: a test per (scenario, client), so a failure names both.

Scenarios of operations without a handler are strict expected failures: they fail the suite once
they start passing, so the README's tables stay honest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from chime_local.service import HANDLERS
from chime_local.testing import ServerProcess
from tests.conformance.drivers import CLIENTS
from tests.conformance.harness import ClientRun, matrix, run_all
from tests.conformance.scenarios import all_scenarios
from tests.conftest import ENGINES

pytestmark = pytest.mark.xdist_group("conformance")
README = Path(__file__).parents[2] / "README.md"


def _cases() -> list[object]:
    cases = []
    for scenario in all_scenarios(0):
        marks = (
            []
            if scenario.operation in HANDLERS
            else [pytest.mark.xfail(strict=True, reason="not implemented")]
        )
        for client in CLIENTS:
            cases.append(
                pytest.param(scenario.name, client, id=f"{scenario.name}-{client}", marks=marks)
            )
    return cases


@pytest.fixture(scope="session", params=ENGINES)
def runs(request: pytest.FixtureRequest) -> Iterator[dict[str, ClientRun]]:
    """Every scenario with every client, against a server on each engine."""
    db = None
    if request.param == "postgresql":
        db = request.getfixturevalue("postgres_cluster").fresh_database()
    with ServerProcess(db=db, extra_args=("--quiet",)) as server:
        yield run_all(server.endpoint_url)


@pytest.mark.parametrize(("name", "client"), _cases())
def test_scenario(runs: dict[str, ClientRun], name: str, client: str) -> None:
    assert runs[client].problems(name) == []


def test_every_operation_has_a_success_scenario_and_one_per_modeled_error() -> None:
    from chime_local.protocol.api import load_api

    api = load_api()
    names = {s.name for s in all_scenarios(0)}
    for operation in api.operations:
        assert f"{operation}:success" in names
        for error in api.model.operation_model(operation).error_shapes:
            assert f"{operation}:{error.name}" in names


def test_errors_agree_across_clients(runs: dict[str, ClientRun]) -> None:
    """The JS client's error.name and status match boto3's error code and status, and the CLI's."""
    boto3_run = runs["boto3"]
    for name, scenario in boto3_run.scenarios.items():
        if scenario.error is None:
            continue
        seen = {
            client: (run.results[name].get("error"), run.results[name].get("status"))
            for client, run in runs.items()
        }
        assert len(set(seen.values())) == 1, f"{name}: {seen}"


def test_readme_support_matrix_is_current(runs: dict[str, ClientRun]) -> None:
    section = re.search(
        r"<!-- conformance:start -->\n(.*)<!-- conformance:end -->", README.read_text(), re.S
    )
    assert section is not None, "README has no conformance matrix section"
    assert section.group(1) == matrix(runs), "regenerate with: python -m tests.conformance"
