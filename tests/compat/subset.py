"""Run inside a compatibility environment: the conformance subset, reported as JSON on stdout.

    python -m tests.compat.subset server [--data-path DIR]   # boto3 and the AWS CLI vs a server
    python -m tests.compat.subset in-process                 # boto3 inside mock_chime

The subset is every implemented operation's success scenario plus the pagination and real-error
scenarios (the fault-rule scenarios need the admin API and test the server, not the SDK). The
server is started before ``AWS_DATA_PATH`` is set, so it runs on chime-local's copy alone.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

import botocore

from chime_local.service import HANDLERS
from chime_local.testing import ServerProcess
from tests.conformance.drivers import CLIENTS
from tests.conformance.harness import ClientRun, run_client
from tests.conformance.scenarios import (
    EXTRA,
    PAGINATION,
    Scenario,
    ids_for,
    resolve,
    seed_for,
    success_scenarios,
)

SERVER_CLIENTS = ("boto3", "aws-cli")


def subset() -> list[Scenario]:
    scenarios = [*PAGINATION, *EXTRA, *success_scenarios()]
    return [scenario for scenario in scenarios if scenario.operation in HANDLERS]


def _problems(run: ClientRun) -> dict[str, list[str]]:
    return {name: run.problems(name) for name in run.scenarios}


def bare_client() -> str:
    """What building a chime client outside chime-local gives: "ok" or the error's class."""
    import boto3

    try:  # a session of its own: a failed lookup is cached by the session's loader
        boto3.session.Session().client("chime", region_name="us-east-1")
    except Exception as error:
        return type(error).__name__
    return "ok"


def over_server(data_path: str | None) -> dict[str, Any]:
    with ServerProcess(db=None, extra_args=("--quiet",)) as server:
        if data_path:
            os.environ["AWS_DATA_PATH"] = data_path
        return {
            client: _problems(run_client(server.endpoint_url, index, client, subset()))
            for index, client in enumerate(SERVER_CLIENTS)
        }


def in_process() -> dict[str, Any]:
    from chime_local import mock_chime

    ids = ids_for(3)
    scenarios = subset()
    run = [
        {"name": s.name, "operation": s.operation, "params": resolve(s.params, ids),
         "accessKey": ids["tenant"], "paginate": s.paginate}
        for s in scenarios
    ]  # fmt: skip
    with mock_chime() as emulator:
        emulator.seed(seed_for(ids))
        results = CLIENTS["boto3"]("http://chime.invalid", run)
    return {"boto3": _problems(ClientRun(ids, {s.name: s for s in scenarios}, results))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("server", "in-process"))
    parser.add_argument("--data-path")
    args = parser.parse_args()
    report = {
        "botocore": botocore.__version__,
        "botocore_has_chime": (Path(botocore.__file__).parent / "data" / "chime").is_dir(),
        "bare_client": bare_client(),
    }
    report["problems"] = over_server(args.data_path) if args.mode == "server" else in_process()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
