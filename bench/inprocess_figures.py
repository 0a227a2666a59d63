"""In-process figures: get_user through mock_chime, beside boto3's own cost and moto's mock_aws.

"boto3 stubbed" answers every call from a before-send hook with a canned body (the same bytes
chime-local returns), so it is boto3's cost alone: serializing, signing, parsing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

from bench import peer
from chime_local import mock_chime

CALLS = 3000


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Any:
        yield self.body


def _rate(call: Callable[[], Any], calls: int) -> float:
    for _ in range(50):  # warm up caches and lazy loading
        call()
    began = time.perf_counter()
    for _ in range(calls):
        call()
    return calls / (time.perf_counter() - began)


def chime_local_rate(calls: int) -> tuple[float, bytes, dict[str, str]]:
    seed = {
        "accounts": [
            {
                "id": "0a0a0a0a-0000-4000-8000-000000000001",
                "name": "Bench",
                "users": [
                    {"id": "0b0b0b0b-0000-4000-8000-000000000001", "email": "jane.doe@example.com"}
                ],
            }
        ]
    }
    with mock_chime(seed=seed):
        client = boto3.client(
            "chime", region_name="us-east-1", aws_access_key_id="AKIA", aws_secret_access_key="x"
        )
        ids = {
            "AccountId": "0a0a0a0a-0000-4000-8000-000000000001",
            "UserId": "0b0b0b0b-0000-4000-8000-000000000001",
        }
        captured: dict[str, Any] = {}

        def keep(http_response: Any, **_: Any) -> None:
            captured.update(body=http_response.content, headers=dict(http_response.headers))

        client.meta.events.register("after-call.chime.GetUser", keep)
        client.get_user(**ids)
        client.meta.events.unregister("after-call.chime.GetUser", keep)
        rate = _rate(lambda: client.get_user(**ids), calls)
    return rate, captured["body"], captured["headers"]


def stubbed_rate(calls: int, body: bytes, headers: dict[str, str]) -> float:
    client = boto3.client(
        "chime",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="AKIA",
        aws_secret_access_key="x",
    )
    client.meta.events.register(
        "before-send.chime.GetUser",
        lambda request, **_: AWSResponse(request.url, 200, headers, _Raw(body)),
    )
    return _rate(lambda: client.get_user(AccountId="a", UserId="u"), calls)


def moto_rate(calls: int) -> float:
    from moto import mock_aws

    with mock_aws():
        client = boto3.client(
            "quicksight",
            region_name="us-east-1",
            aws_access_key_id="AKIA",
            aws_secret_access_key="x",
        )
        peer.register_reader(client)
        return _rate(
            lambda: client.describe_user(
                UserName="jane.doe", AwsAccountId="123456789012", Namespace="default"
            ),
            calls,
        )


def measure(repeats: int, calls: int = CALLS) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {
        "chime-local mock_chime": [],
        "boto3 stubbed": [],
        "moto mock_aws": [],
    }
    for _ in range(repeats):
        rate, body, headers = chime_local_rate(calls)
        results["chime-local mock_chime"].append(rate)
        results["boto3 stubbed"].append(stubbed_rate(calls, body, headers))
        results["moto mock_aws"].append(moto_rate(calls))
        print("  " + "  ".join(f"{name}: {values[-1]:,.0f}/s" for name, values in results.items()))
    return results
