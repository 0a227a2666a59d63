"""One adversarial request cannot delay another client: while megabyte emails (the pattern
``.+@.+\\..+`` that took a backtracking engine 31 s) are sent and refused, a second client's
GetUser answers within 100 ms every time."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from chime_local.testing import ServerProcess
from tests.support import fresh_tenant, sdk_client

MEGABYTE = 1 << 20
LATENCY_BOUND = 0.100  # seconds, the bound


def test_a_megabyte_email_does_not_delay_another_client(server: ServerProcess) -> None:
    attacker = sdk_client(server.endpoint_url, fresh_tenant())
    victim = sdk_client(server.endpoint_url, fresh_tenant())
    account = victim.create_account(Name="Victim")["Account"]
    user = victim.create_user(AccountId=account["AccountId"], Email="v@example.com")["User"]
    victim.get_user(AccountId=account["AccountId"], UserId=user["UserId"])  # connection warm
    target = attacker.create_account(Name="Attacker")["Account"]["AccountId"]
    refused: list[Any] = []
    done = threading.Event()

    def attack() -> None:
        try:
            for email in ("a@" * (MEGABYTE // 2), "a" * MEGABYTE + "@x", "a." * (MEGABYTE // 2)):
                with pytest.raises(attacker.exceptions.BadRequestException) as caught:
                    attacker.create_user(AccountId=target, Email=email)
                refused.append(caught.value)
                with pytest.raises(attacker.exceptions.BadRequestException):
                    attacker.invite_users(AccountId=target, UserEmailList=[email])
        finally:
            done.set()

    thread = threading.Thread(target=attack)
    thread.start()
    latencies = []
    while not done.is_set() or not latencies:
        began = time.perf_counter()
        victim.get_user(AccountId=account["AccountId"], UserId=user["UserId"])
        latencies.append(time.perf_counter() - began)
    thread.join(30)
    assert len(refused) == 3
    assert max(latencies) < LATENCY_BOUND, f"slowest GetUser {max(latencies) * 1000:.0f} ms"
