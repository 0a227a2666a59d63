"""Seed and export cover every resource; the admin API lists what the store holds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chime_local.testing import ServerProcess
from tests.api.admin_calls import admin, enterprise_account
from tests.support import sdk_client

TENANT = "246813579024"


@pytest.fixture
def two_servers() -> Iterator[tuple[ServerProcess, ServerProcess]]:
    with (
        ServerProcess(db=None, extra_args=("--quiet",)) as first,
        ServerProcess(db=None, extra_args=("--quiet",)) as second,
    ):
        yield first, second


def build_everything(server: ServerProcess) -> dict[str, Any]:
    client = sdk_client(server.endpoint_url, TENANT)
    account = enterprise_account(server, TENANT)
    ids = {"AccountId": account["AccountId"]}
    user = client.create_user(**ids, Email="all@example.com")["User"]
    client.logout_user(**ids, UserId=user["UserId"])
    client.update_user_settings(
        **ids,
        UserId=user["UserId"],
        UserSettings={"Telephony": {"InboundCalling": True, "OutboundCalling": False, "SMS": True}},
    )
    numbers = client.search_available_phone_numbers(AreaCode="503", MaxResults=3)[
        "E164PhoneNumbers"
    ]
    client.create_phone_number_order(ProductType="BusinessCalling", E164PhoneNumbers=numbers)
    client.associate_phone_number_with_user(
        **ids, UserId=user["UserId"], E164PhoneNumber=numbers[0]
    )
    client.delete_phone_number(PhoneNumberId=numbers[1])
    client.update_phone_number(PhoneNumberId=numbers[2], CallingName="Help Desk")
    client.update_phone_number_settings(CallingName="All Inc")
    client.update_global_settings(BusinessCalling={"CdrBucket": "cdr"})
    room = client.create_room(**ids, Name="Everything", ClientRequestToken="tok-1")["Room"]
    bot = client.create_bot(**ids, DisplayName="allbot")["Bot"]
    client.put_events_configuration(
        **ids,
        BotId=bot["BotId"],
        LambdaFunctionArn="arn:aws:lambda:us-east-1:246813579024:function:f",
    )
    client.create_room_membership(
        **ids, RoomId=room["RoomId"], MemberId=user["UserId"], Role="Administrator"
    )
    client.create_room_membership(**ids, RoomId=room["RoomId"], MemberId=bot["BotId"])
    client.put_retention_settings(
        **ids, RetentionSettings={"RoomRetentionSettings": {"RetentionDays": 10}}
    )
    client.associate_signin_delegate_groups_with_account(
        **ids, SigninDelegateGroups=[{"GroupName": "g1"}]
    )
    return {"account": account, "user": user, "numbers": numbers, "room": room, "bot": bot}


def answers(server: ServerProcess, made: dict[str, Any]) -> list[Any]:
    client = sdk_client(server.endpoint_url, TENANT)
    ids = {"AccountId": made["account"]["AccountId"]}
    calls = [
        lambda: client.get_account(**ids),
        lambda: client.get_user(**ids, UserId=made["user"]["UserId"]),
        lambda: client.get_user_settings(**ids, UserId=made["user"]["UserId"]),
        lambda: client.list_phone_numbers(),
        lambda: client.list_phone_number_orders(),
        lambda: client.get_phone_number_settings(),
        lambda: client.get_global_settings(),
        lambda: client.get_room(**ids, RoomId=made["room"]["RoomId"]),
        lambda: client.list_room_memberships(**ids, RoomId=made["room"]["RoomId"]),
        lambda: client.get_bot(**ids, BotId=made["bot"]["BotId"]),
        lambda: client.get_events_configuration(**ids, BotId=made["bot"]["BotId"]),
        lambda: client.get_retention_settings(**ids),
        lambda: client.create_room(**ids, Name="Everything", ClientRequestToken="tok-1"),
    ]
    results = []
    for call in calls:
        response = call()
        response.pop("ResponseMetadata")
        results.append(response)
    return results


def test_export_import_recreates_every_resource(
    two_servers: tuple[ServerProcess, ServerProcess],
) -> None:
    source, target = two_servers
    made = build_everything(source)
    exported = admin(source, "GET", "export")[1]
    assert {
        "phone_numbers",
        "phone_number_orders",
        "global_settings",
        "phone_number_settings",
    } <= set(exported["tenants"][0])
    assert {"rooms", "room_memberships", "bots", "bot_events", "retention_settings"} <= set(
        exported["accounts"][0]
    )
    status, _ = admin(target, "POST", "seed?replace=true", exported)
    assert status == 201
    assert admin(target, "GET", "export")[1] == exported
    assert answers(target, made) == answers(source, made)


def test_seeding_a_number_by_hand_fills_the_rest(
    two_servers: tuple[ServerProcess, ServerProcess],
) -> None:
    server, _ = two_servers
    seed = {
        "tenants": [
            {
                "aws_account_id": TENANT,
                "phone_numbers": [
                    {"E164PhoneNumber": "+12065550150", "ProductType": "BusinessCalling"}
                ],
            }
        ]
    }
    assert admin(server, "POST", "seed", seed)[0] == 201
    number = sdk_client(server.endpoint_url, TENANT).get_phone_number(PhoneNumberId="+12065550150")[
        "PhoneNumber"
    ]
    assert (number["Status"], number["Type"], number["Country"]) == ("Unassigned", "Local", "US")
    status, document = admin(server, "POST", "seed", seed)
    assert status == 400 and "already exists" in document["Message"]


def test_resources_listing(two_servers: tuple[ServerProcess, ServerProcess]) -> None:
    server, _ = two_servers
    made = build_everything(server)
    counts = admin(server, "GET", "resources")[1]["Resources"]
    assert counts["accounts"] == 1 and counts["users"] == 1 and counts["phone-numbers"] == 3
    assert counts["rooms"] == 1 and counts["room-memberships"] == 2 and counts["bots"] == 1
    users = admin(server, "GET", "resources/users")[1]["Items"]
    assert users[0]["UserId"] == made["user"]["UserId"] and users[0]["LastLogoutAt"]
    assert users[0]["Settings"]["Telephony"]["SMS"] is True
    assert admin(server, "GET", "resources/nothing")[0] == 404
    team = sdk_client(server.endpoint_url, TENANT).create_account(Name="Short lived")["Account"]
    sdk_client(server.endpoint_url, TENANT).delete_account(AccountId=team["AccountId"])
    deleted = admin(server, "GET", "resources/deleted-accounts")[1]["Items"]
    assert [a["AccountId"] for a in deleted] == [team["AccountId"]]
    assert deleted[0]["DeletedTimestamp"]
    admin(server, "PUT", "clock", {"Advance": 91 * 86400})
    assert admin(server, "GET", "resources/deleted-accounts")[1]["Items"] == []
