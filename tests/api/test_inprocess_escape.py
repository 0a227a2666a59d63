"""No ``chime`` call leaves the process inside ``mock_chime``, however the client was made.

Each scenario runs in a fresh interpreter (the only honest way to have a client that predates
``import chime_local``) with a socket guard: any attempt to connect anywhere is recorded and
refused. The scenario prints what the emulator holds and the attempts; both are asserted here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

GUARD = """
import json, os, socket
attempts = []
def refuse(self, address):
    attempts.append(str(address))
    raise ConnectionRefusedError(f"network attempt to {address}")
socket.socket.connect = refuse
for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
    os.environ[name] = "AKIAGUARD000000000000"
os.environ.pop("AWS_ENDPOINT_URL_CHIME", None)
os.environ.pop("AWS_ENDPOINT_URL", None)
import boto3, botocore.endpoint, botocore.session
from botocore.config import Config
ONE_TRY = Config(retries={"total_max_attempts": 1})
original_send = botocore.endpoint.Endpoint._send
def clients():
    return {
        "default session": boto3.client("chime", region_name="us-east-1", config=ONE_TRY),
        "own session": botocore.session.get_session().create_client(
            "chime", region_name="us-east-1", config=ONE_TRY
        ),
        "boto3 session": boto3.session.Session().client(
            "chime", region_name="us-east-1", config=ONE_TRY
        ),
    }
"""

SCENARIOS = {
    "clients created before chime_local is imported": """
        made = clients()
        from chime_local import mock_chime
        """,
    "sessions before import, clients before mock_chime starts": """
        default = boto3.DEFAULT_SESSION or boto3.setup_default_session()
        session = botocore.session.get_session()
        from chime_local import mock_chime
        made = clients()
        """,
    "clients created inside mock_chime": """
        from chime_local import mock_chime
        made = None
        """,
}

RUN = """
with mock_chime() as chime:
    for name, client in (made or clients()).items():
        client.create_account(Name=name)
    names = sorted(account["name"] for account in chime.export()["accounts"])
print(json.dumps({
    "names": names,
    "attempts": attempts,
    "restored": botocore.endpoint.Endpoint._send is original_send,
}))
"""


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_chime_client_is_answered_in_process(scenario: str) -> None:
    script = GUARD + textwrap.dedent(SCENARIOS[scenario]) + RUN
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {
        "names": ["boto3 session", "default session", "own session"],
        "attempts": [],
        "restored": True,
    }


def test_a_retried_call_stays_in_process() -> None:
    """A failed call that botocore retries (with the same request object) is answered again."""
    script = GUARD + textwrap.dedent(
        """
        RETRY = Config(retries={"mode": "standard", "total_max_attempts": 3})
        early = boto3.client("chime", region_name="us-east-1", config=RETRY)
        from chime_local import mock_chime
        from chime_local.guards import FaultRule
        late = boto3.client("chime", region_name="us-east-1", config=RETRY)
        with mock_chime() as chime:
            accounts, calls = [], []
            for client in (early, late):
                chime.faults.add(
                    FaultRule("ListAccounts", "ServiceUnavailableException", 2, None, None, 0)
                )
                answer = client.list_accounts()
                accounts += answer["Accounts"]
                calls.append(answer["ResponseMetadata"]["RetryAttempts"])
        print(json.dumps({"accounts": accounts, "attempts": attempts, "calls": calls}))
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["attempts"] == [] and outcome["accounts"] == []
    assert outcome["calls"] == [2, 2]  # two failures, each retried in-process


def test_an_unanswerable_chime_request_fails_naming_mock_chime() -> None:
    from botocore.endpoint import Endpoint

    from chime_local import mock_chime
    from chime_local.testing import MockChimeError
    from chime_local.testing.inprocess import _REGISTRY

    with mock_chime() as emulator:
        client = __import__("boto3").client(
            "chime", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
        )
        endpoint = client._endpoint
        prepared = client._endpoint.create_request(
            {
                "url_path": "/accounts",
                "query_string": "",
                "method": "GET",
                "headers": {},
                "body": b"",
                "url": "https://chime.us-east-1.amazonaws.com/accounts",
                "context": {},
            }
        )
        _REGISTRY.stack.remove(emulator)  # as if another thread ended the block meanwhile
        try:
            with pytest.raises(MockChimeError, match="mock_chime"):
                Endpoint._send(endpoint, prepared)
        finally:
            _REGISTRY.stack.append(emulator)
