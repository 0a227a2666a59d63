"""In-process figures: get_user through mock_chime, beside boto3's own cost and moto's mock_aws.

"boto3 stubbed" answers every call from a before-send hook with a canned body (the same bytes
chime-local returns), so it is boto3's cost alone: serializing, signing, parsing. The two are
measured in alternating batches and summed, so that a drift in the machine's speed during a run
(this kind of machine varies by 10-15%) falls on both alike.
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
BATCHES = 6
ACCOUNT = "0a0a0a0a-0000-4000-8000-000000000001"
USER = "0b0b0b0b-0000-4000-8000-000000000001"
SEED = {
    "accounts": [
        {"id": ACCOUNT, "name": "Bench", "users": [{"id": USER, "email": "jane.doe@example.com"}]}
    ]
}


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Any:
        yield self.body


def _timed(call: Callable[[], Any], calls: int) -> float:
    """Seconds for ``calls`` calls."""
    began = time.perf_counter()
    for _ in range(calls):
        call()
    return time.perf_counter() - began


def _rate(call: Callable[[], Any], calls: int) -> float:
    for _ in range(50):  # warm up caches and lazy loading
        call()
    return calls / _timed(call, calls)


def _client(**options: Any) -> Any:
    return boto3.client(
        "chime",
        region_name="us-east-1",
        aws_access_key_id="AKIA",
        aws_secret_access_key="x",
        **options,
    )


def _chime_local_answer() -> tuple[bytes, dict[str, str]]:
    """The body and headers chime-local answers GetUser with, for the stubbed client."""
    captured: dict[str, Any] = {}

    def keep(http_response: Any, **_: Any) -> None:
        captured.update(body=http_response.content, headers=dict(http_response.headers))

    with mock_chime(seed=SEED):
        client = _client()
        client.meta.events.register("after-call.chime.GetUser", keep)
        client.get_user(AccountId=ACCOUNT, UserId=USER)
    return captured["body"], captured["headers"]


def _stubbed_client(body: bytes, headers: dict[str, str]) -> Any:
    """Configured as the mocked client is (no ``endpoint_url``: both resolve the service's own
    endpoint and signing scope the same way); its hook answers before anything is sent."""
    client = _client()
    client.meta.events.register(
        "before-send.chime.GetUser",
        lambda request, **_: AWSResponse(request.url, 200, headers, _Raw(body)),
    )
    return client


def paired_rates(calls: int) -> tuple[float, float]:
    """calls/s of get_user through mock_chime and through a stubbed client, in alternating
    batches (each batch of the mock in a fresh ``mock_chime``, seeded outside the timing)."""
    body, headers = _chime_local_answer()
    stubbed = _stubbed_client(body, headers)
    mocked = _client()
    per_batch = calls // BATCHES
    spent = {"mock": 0.0, "stubbed": 0.0}
    for batch in range(BATCHES + 1):  # the first round only warms up
        with mock_chime(seed=SEED):
            mock_seconds = _timed(
                lambda: mocked.get_user(AccountId=ACCOUNT, UserId=USER), per_batch
            )
        stubbed_seconds = _timed(
            lambda: stubbed.get_user(AccountId=ACCOUNT, UserId=USER), per_batch
        )
        if batch:
            spent["mock"] += mock_seconds
            spent["stubbed"] += stubbed_seconds
    total = per_batch * BATCHES
    return total / spent["mock"], total / spent["stubbed"]


def hook_microseconds(calls: int = CALLS) -> float:
    """Microseconds of a mock_chime get_user spent inside the emulator (``Emulator.handle``):
    what chime-local adds to boto3's own cost. Timed apart from the paired rates."""
    client = _client()
    with mock_chime(seed=SEED) as emulator:
        handle = emulator.handle
        spent = [0.0]

        def timed(request: Any, may_block: bool = True) -> Any:
            began = time.perf_counter()
            try:
                return handle(request, may_block)
            finally:
                spent[0] += time.perf_counter() - began

        emulator.handle = timed  # type: ignore[method-assign]
        _rate(lambda: client.get_user(AccountId=ACCOUNT, UserId=USER), calls)
    return spent[0] / (calls + 50) * 1e6  # _rate's warm-up calls are timed too


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
        mocked, stubbed = paired_rates(calls)
        results["chime-local mock_chime"].append(mocked)
        results["boto3 stubbed"].append(stubbed)
        results["moto mock_aws"].append(moto_rate(calls))
        print("  " + "  ".join(f"{name}: {values[-1]:,.0f}/s" for name, values in results.items()))
    return results
