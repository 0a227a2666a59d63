"""Two instances on one PostgreSQL database: a scenario driven through both alternately, the
races the service's limits must survive with concurrent clients spread over both instances, and
the shared-state tests of ``--workers`` (imported: here their ``pair`` is two instances)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chime_local.store import kinds
from chime_local.store.postgres import PostgresStore
from chime_local.testing import ServerProcess
from tests.api.admin_calls import enterprise_account
from tests.api.test_shared_state import (  # noqa: F401 (collected here: two instances)
    Worker,
    connect,
    test_a_clock_change_through_one_worker_is_seen_by_the_other,
    test_a_count_fault_fires_count_times_in_total_over_both_workers,
    test_a_reset_through_one_worker_is_seen_by_the_other,
    test_fault_rules_added_and_cleared_through_either_worker,
    test_the_request_log_shows_the_calls_of_both_workers,
)
from tests.support import fresh_tenant, sdk_client

CLIENTS = 16


@pytest.fixture
def two_servers(postgres_url: str) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    args = ("--quiet", "--phone-number-quota", "5")
    with (
        ServerProcess(db=postgres_url, extra_args=args) as first,
        ServerProcess(db=postgres_url, extra_args=args) as second,
    ):
        yield first, second


@pytest.fixture
def tenant() -> str:
    return fresh_tenant()


@pytest.fixture
def clients(two_servers: tuple[ServerProcess, ServerProcess], tenant: str) -> list[Any]:
    """A client on each instance, in one tenant (the same access key)."""
    return [sdk_client(server.endpoint_url, tenant) for server in two_servers]


def outcomes(clients: list[Any], call: Callable[[Any, int], Any]) -> list[str]:
    """Run ``call(client, n)`` for n in 0..15 at once, alternating instances: each outcome is
    "ok" or the error code."""

    def one(n: int) -> str:
        try:
            call(clients[n % 2], n)
        except ClientError as error:
            return str(error.response["Error"]["Code"])
        return "ok"

    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(one, range(CLIENTS)))


def test_a_scenario_through_two_instances_alternately(clients: list[Any]) -> None:
    a, b = clients
    account = a.create_account(Name="Shared")["Account"]
    account_id = account["AccountId"]
    assert b.get_account(AccountId=account_id)["Account"]["Name"] == "Shared"
    for n in range(3):
        (a, b)[n % 2].invite_users(AccountId=account_id, UserEmailList=[f"u{n}@example.com"])
    first = a.list_users(AccountId=account_id, MaxResults=2)
    rest = b.list_users(AccountId=account_id, MaxResults=2, NextToken=first["NextToken"])
    emails = [u["PrimaryEmail"] for u in first["Users"] + rest["Users"]]
    assert emails == ["u0@example.com", "u1@example.com", "u2@example.com"]
    b.update_account(AccountId=account_id, Name="Renamed")
    assert a.get_account(AccountId=account_id)["Account"]["Name"] == "Renamed"
    empty = b.create_account(Name="Empty")["Account"]["AccountId"]
    a.delete_account(AccountId=empty)
    with pytest.raises(ClientError) as missing:
        b.get_account(AccountId=empty)
    assert missing.value.response["Error"]["Code"] == "NotFoundException"


def test_one_email_per_account_under_a_race(clients: list[Any]) -> None:
    account_id = clients[0].create_account(Name="Race")["Account"]["AccountId"]
    results = outcomes(
        clients,
        lambda c, n: c.create_user(AccountId=account_id, Email="same@example.com"),
    )
    assert sorted(set(results)) == ["ConflictException", "ok"]
    assert results.count("ok") == 1
    users = clients[1].list_users(AccountId=account_id)["Users"]
    assert [u["PrimaryEmail"] for u in users] == ["same@example.com"]


def test_ten_bots_per_account_under_a_race(
    clients: list[Any], two_servers: tuple[ServerProcess, ServerProcess], tenant: str
) -> None:
    account_id = enterprise_account(two_servers[0], tenant)["AccountId"]
    results = outcomes(
        clients, lambda c, n: c.create_bot(AccountId=account_id, DisplayName=f"Bot{n}")
    )
    assert results.count("ok") == 10
    assert set(results) == {"ok", "ResourceLimitExceededException"}
    assert len(clients[1].list_bots(AccountId=account_id, MaxResults=99)["Bots"]) == 10


def test_the_phone_number_quota_under_a_race(clients: list[Any]) -> None:
    numbers = clients[0].search_available_phone_numbers(AreaCode="206", MaxResults=CLIENTS)
    found = numbers["E164PhoneNumbers"]
    results = outcomes(
        clients,
        lambda c, n: c.create_phone_number_order(
            ProductType="BusinessCalling", E164PhoneNumbers=[found[n]]
        ),
    )
    assert results.count("ok") == 5  # --phone-number-quota 5
    assert set(results) == {"ok", "ResourceLimitExceededException"}
    inventory = clients[1].list_phone_numbers(MaxResults=99)["PhoneNumbers"]
    assert len(inventory) == 5


def test_delete_account_racing_create_user_leaves_no_orphans(
    clients: list[Any], postgres_url: str
) -> None:
    """A delete that succeeded leaves no user behind; one that failed saw a user created first
    (a team account with users cannot be deleted)."""
    store = PostgresStore(postgres_url)
    try:
        for _ in range(3):
            account_id = clients[0].create_account(Name="Doomed")["Account"]["AccountId"]

            def call(client: Any, n: int, account_id: str = account_id) -> Any:
                if n == 0:
                    return client.delete_account(AccountId=account_id)
                return client.create_user(AccountId=account_id, Email=f"u{n}@example.com")

            results = outcomes(clients, call)
            left = list(store.account_users(account_id))
            if results[0] == "ok":
                assert left == []
            else:
                assert results[0] == "UnprocessableEntityException"
                assert len(left) == results.count("ok") >= 1
    finally:
        store.close()


def _fill(url: str, kind: str, scope: str, count: int) -> None:
    """Records a limit counts, written through the store's own verb (faster than the API)."""
    store = PostgresStore(url)
    try:
        with store.transaction():
            for n in range(count):
                store.put_record(kind, scope, f"{scope}/filler-{n}", {"Filler": n})
    finally:
        store.close()


def test_1500_rooms_per_account_under_a_race(
    clients: list[Any],
    two_servers: tuple[ServerProcess, ServerProcess],
    tenant: str,
    postgres_url: str,
) -> None:
    account_id = enterprise_account(two_servers[0], tenant)["AccountId"]
    _fill(postgres_url, kinds.ROOM, account_id, 1490)
    results = outcomes(clients, lambda c, n: c.create_room(AccountId=account_id, Name=f"R{n}"))
    assert results.count("ok") == 10
    assert set(results) == {"ok", "ResourceLimitExceededException"}


def test_1000_members_per_room_under_a_race(
    clients: list[Any],
    two_servers: tuple[ServerProcess, ServerProcess],
    tenant: str,
    postgres_url: str,
) -> None:
    account_id = enterprise_account(two_servers[0], tenant)["AccountId"]
    room_id = clients[0].create_room(AccountId=account_id, Name="Full")["Room"]["RoomId"]
    for n in range(CLIENTS):
        clients[n % 2].create_user(AccountId=account_id, Email=f"m{n}@example.com")
    members = [
        u["UserId"] for u in clients[0].list_users(AccountId=account_id, MaxResults=99)["Users"]
    ]
    _fill(postgres_url, kinds.ROOM_MEMBERSHIP, room_id, 990)
    results = outcomes(
        clients,
        lambda c, n: c.create_room_membership(
            AccountId=account_id, RoomId=room_id, MemberId=members[n]
        ),
    )
    assert results.count("ok") == 10
    assert set(results) == {"ok", "ResourceLimitExceededException"}


def test_pins_stay_unique_under_a_race(clients: list[Any], postgres_url: str) -> None:
    account_id = clients[0].create_account(Name="Pins")["Account"]["AccountId"]
    emails = [f"p{n}@example.com" for n in range(CLIENTS)]
    clients[1].invite_users(AccountId=account_id, UserEmailList=emails)
    listed = clients[0].list_users(AccountId=account_id, MaxResults=99)["Users"]
    users = [u["UserId"] for u in listed]
    results = outcomes(
        clients, lambda c, n: c.reset_personal_pin(AccountId=account_id, UserId=users[n])
    )
    assert results == ["ok"] * CLIENTS
    store = PostgresStore(postgres_url)
    try:
        pins = [doc.get("PersonalPIN") for doc, _, _ in store.account_users(account_id)]
    finally:
        store.close()
    assert None not in pins and len(set(pins)) == CLIENTS


@pytest.fixture
def pair(two_servers: tuple[ServerProcess, ServerProcess]) -> Iterator[tuple[Worker, Worker]]:
    """A keep-alive connection to each instance."""
    first, second = (connect(server) for server in two_servers)
    yield first, second
    first.connection.close()
    second.connection.close()
