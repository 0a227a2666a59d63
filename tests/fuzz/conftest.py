"""Fuzz fixtures: a tenant with one of each resource, the oracle, and a count of the cases. Each test records how many requests it sent and how many answered with a modeled error;
``tests/fuzz/profiles.py`` adds them up at the end of the run.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from chime_local.protocol.api import load_api
from chime_local.protocol.openapi import openapi_document
from chime_local.testing import ServerProcess
from tests.api.admin_calls import enterprise_account
from tests.fuzz.oracle import Oracle
from tests.fuzz.strategies import Pools
from tests.fuzz.wire import Sender
from tests.support import fresh_tenant, sdk_client


@dataclass
class FuzzTally:
    """Requests sent by one test, for the summary."""

    cases: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def count(self, error_type: str | None) -> None:
        self.cases += 1
        if error_type:
            self.errors[error_type] = self.errors.get(error_type, 0) + 1


@pytest.fixture
def tally(request: pytest.FixtureRequest) -> Iterator[FuzzTally]:
    counted = FuzzTally()
    yield counted
    request.node.user_properties.append(("fuzz_cases", counted.cases))
    request.node.user_properties.append(("fuzz_errors", counted.errors))


@pytest.fixture(scope="session")
def oracle() -> Oracle:
    return Oracle(load_api().model, openapi_document())


def populated_tenant(server: ServerProcess) -> tuple[str, Pools]:
    """A fresh tenant holding an enterprise account with a user, a room, a bot and numbers."""
    tenant = fresh_tenant()
    client = sdk_client(server.endpoint_url, tenant)
    account_id = enterprise_account(server, tenant)["AccountId"]
    user_id = client.create_user(AccountId=account_id, Email="fuzz@example.com")["User"]["UserId"]
    room_id = client.create_room(AccountId=account_id, Name="Fuzz room")["Room"]["RoomId"]
    client.create_room_membership(AccountId=account_id, RoomId=room_id, MemberId=user_id)
    bot_id = client.create_bot(AccountId=account_id, DisplayName="Fuzz bot")["Bot"]["BotId"]
    area_code = str(900 + secrets.randbelow(100))  # a range no other test searches
    numbers = client.search_available_phone_numbers(AreaCode=area_code, MaxResults=3)[
        "E164PhoneNumbers"
    ]
    order = client.create_phone_number_order(
        ProductType="BusinessCalling", E164PhoneNumbers=numbers
    )["PhoneNumberOrder"]
    return tenant, {
        "AccountId": [account_id],
        "UserId": [user_id],
        "MemberId": [user_id],
        "UserIdList": [user_id],
        "RoomId": [room_id],
        "BotId": [bot_id],
        "PhoneNumberId": numbers,
        "PhoneNumberIds": numbers,
        "E164PhoneNumber": numbers,
        "PhoneNumberOrderId": [order["PhoneNumberOrderId"]],
    }


@dataclass
class FuzzTarget:
    sender: Sender
    pools: Pools


@pytest.fixture
def fuzz_target(server: ServerProcess) -> Iterator[FuzzTarget]:
    tenant, pools = populated_tenant(server)
    sender = Sender(server.endpoint_url, tenant)
    yield FuzzTarget(sender, pools)
    sender.close()
