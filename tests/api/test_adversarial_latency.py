"""One adversarial request cannot delay another client: while megabyte emails (the pattern
``.+@.+\\..+`` that took a backtracking engine 31 s) are sent and refused, a second client's
GetUser is never delayed by more than 100 ms over its own median latency."""

from __future__ import annotations

import json
import statistics
import threading
import time

from chime_local.testing import ServerProcess
from tests.api.raw import call
from tests.support import fresh_tenant, sdk_client

MEGABYTE = 1 << 20
DELAY_BOUND = 0.100  # seconds, the bound
EMAILS = ("a@" * (MEGABYTE // 2), "a" * MEGABYTE + "@x", "a." * (MEGABYTE // 2))


def attack_requests(account_id: str, tenant: str) -> list[tuple[str, bytes, dict[str, str]]]:
    """CreateUser and InviteUsers with each email, built before the clock starts (the attacker
    thread then only sends bytes, which releases the GIL the measuring thread needs)."""
    auth = (
        f"AWS4-HMAC-SHA256 Credential={tenant}/20240101/us-east-1/chime/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0000"
    )
    headers = {"Authorization": auth, "Content-Type": "application/json"}
    requests = []
    for email in EMAILS:
        users = f"/accounts/{account_id}/users"
        requests.append(
            (f"{users}?operation=create", json.dumps({"Email": email}).encode(), headers)
        )
        requests.append(
            (f"{users}?operation=add", json.dumps({"UserEmailList": [email]}).encode(), headers)
        )
    return requests


def test_a_megabyte_email_does_not_delay_another_client(server: ServerProcess) -> None:
    tenant = fresh_tenant()
    attacker = sdk_client(server.endpoint_url, tenant)
    victim = sdk_client(server.endpoint_url, fresh_tenant())
    account = victim.create_account(Name="Victim")["Account"]
    user = victim.create_user(AccountId=account["AccountId"], Email="v@example.com")["User"]
    target = attacker.create_account(Name="Attacker")["Account"]["AccountId"]
    requests = attack_requests(target, tenant)

    def get_user() -> float:
        began = time.perf_counter()
        victim.get_user(AccountId=account["AccountId"], UserId=user["UserId"])
        return time.perf_counter() - began

    baseline = statistics.median(get_user() for _ in range(20))
    answers: list[tuple[int, str]] = []
    done = threading.Event()

    def attack() -> None:
        try:
            for path, body, headers in requests:
                status, response_headers, _ = call(server.endpoint_url, "POST", path, body, headers)
                answers.append((status, response_headers.get("x-amzn-errortype", "")))
        finally:
            done.set()

    thread = threading.Thread(target=attack)
    thread.start()
    latencies = []
    while not done.is_set() or not latencies:
        latencies.append(get_user())
    thread.join(30)
    assert answers == [(400, "BadRequestException")] * len(requests)
    worst = max(latencies) - baseline
    assert worst < DELAY_BOUND, (
        f"GetUser delayed by {worst * 1000:.0f} ms over {baseline * 1000:.1f} ms"
    )
