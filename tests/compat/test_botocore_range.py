"""The conformance subset against the oldest and newest botocore, and one without Chime.

Each flavour's environment (``tests/compat/venvs.py``) runs ``tests.compat.subset`` in a process
of its own: boto3 and the AWS CLI against a server, and boto3 inside ``mock_chime``. In the
no-Chime environment a plain ``boto3.client("chime")`` must fail (the simulation is real), the
server and ``mock_chime`` must work without help, and the SDKs must work against the server once
``AWS_DATA_PATH`` names the folder ``chime-local botocore-data-path`` prints there.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.compat.subset import subset
from tests.compat.venvs import ROOT, lower_bound, python_for

pytestmark = pytest.mark.xdist_group("compat")


def _run(python: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_DATA_PATH", "PYTHONPATH")}
    completed = subprocess.run(
        [str(python), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
        check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def _report(python: Path, *args: str) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(_run(python, "-m", "tests.compat.subset", *args))
    return report


def _assert_all_pass(report: dict[str, Any], clients: set[str]) -> None:
    assert set(report["problems"]) == clients
    for client, problems in report["problems"].items():
        assert len(problems) == len(subset()) > 50, client
        failing = {name: found for name, found in problems.items() if found}
        assert failing == {}, f"{client} on botocore {report['botocore']}"


@pytest.mark.parametrize("flavour", ["oldest", "newest"])
def test_subset_passes_with_supported_botocore(flavour: str) -> None:
    python = python_for(flavour)
    server = _report(python, "server")
    assert server["botocore_has_chime"] and server["bare_client"] == "ok"
    if flavour == "oldest":
        assert server["botocore"] == lower_bound("botocore")
    _assert_all_pass(server, {"boto3", "aws-cli"})
    _assert_all_pass(_report(python, "in-process"), {"boto3"})


def test_without_chime_in_botocore_the_copy_serves_the_server_and_the_sdks() -> None:
    python = python_for("no-chime")
    data_path = _run(python, "-m", "chime_local", "botocore-data-path").strip()
    assert (Path(data_path) / "chime" / "2018-05-01" / "service-2.json").is_file()
    server = _report(python, "server", "--data-path", data_path)
    assert not server["botocore_has_chime"]
    assert server["bare_client"] == "UnknownServiceError"
    _assert_all_pass(server, {"boto3", "aws-cli"})
    in_process = _report(python, "in-process")
    assert in_process["bare_client"] == "UnknownServiceError"
    _assert_all_pass(in_process, {"boto3"})
