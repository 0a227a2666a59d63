"""Rooms, memberships, bots, events configuration, retention, delegate groups, redaction."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chime_local.testing import ServerProcess
from tests.api.admin_calls import admin, enterprise_account
from tests.support import closed_port, fresh_tenant, sdk_client


@pytest.fixture
def enterprise(server: ServerProcess) -> tuple[Any, dict[str, Any]]:
    tenant = fresh_tenant()
    return sdk_client(server.endpoint_url, tenant), enterprise_account(server, tenant)


def test_room_life_cycle(enterprise: tuple[Any, dict[str, Any]]) -> None:
    client, account = enterprise
    ids = {"AccountId": account["AccountId"]}
    response = client.create_room(**ids, Name="Ops")
    room = response["Room"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert room["CreatedBy"] == f"arn:aws:iam::{account['AwsAccountId']}:user/chime-local"
    assert room["CreatedTimestamp"] == room["UpdatedTimestamp"]
    assert client.get_room(**ids, RoomId=room["RoomId"])["Room"] == room
    renamed = client.update_room(**ids, RoomId=room["RoomId"], Name="Operations")["Room"]
    assert (
        renamed["Name"] == "Operations" and renamed["UpdatedTimestamp"] >= room["UpdatedTimestamp"]
    )
    assert [r["RoomId"] for r in client.list_rooms(**ids)["Rooms"]] == [room["RoomId"]]
    assert (
        client.delete_room(**ids, RoomId=room["RoomId"])["ResponseMetadata"]["HTTPStatusCode"]
        == 204
    )
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_room(**ids, RoomId=room["RoomId"])


def test_create_room_is_idempotent_by_token(enterprise: tuple[Any, dict[str, Any]]) -> None:
    client, account = enterprise
    first = client.create_room(
        AccountId=account["AccountId"], Name="Once", ClientRequestToken="token-abc"
    )["Room"]
    again = client.create_room(
        AccountId=account["AccountId"], Name="Once", ClientRequestToken="token-abc"
    )["Room"]
    assert again == first
    assert len(client.list_rooms(AccountId=account["AccountId"])["Rooms"]) == 1


def test_memberships(enterprise: tuple[Any, dict[str, Any]]) -> None:
    client, account = enterprise
    ids = {"AccountId": account["AccountId"]}
    room = client.create_room(**ids, Name="Team room")["Room"]
    user = client.create_user(**ids, Email="member@example.com", Username="Mem Ber")["User"]
    other = client.create_user(**ids, Email="other@example.com")["User"]
    membership = client.create_room_membership(
        **ids, RoomId=room["RoomId"], MemberId=user["UserId"]
    )["RoomMembership"]
    assert membership["Role"] == "Member"
    assert membership["Member"] == {
        "MemberId": user["UserId"],
        "MemberType": "User",
        "Email": "member@example.com",
        "FullName": "Mem Ber",
        "AccountId": account["AccountId"],
    }
    assert membership["InvitedBy"].startswith("arn:aws:iam::")
    with pytest.raises(client.exceptions.ConflictException):
        client.create_room_membership(**ids, RoomId=room["RoomId"], MemberId=user["UserId"])
    with pytest.raises(client.exceptions.NotFoundException):
        client.create_room_membership(**ids, RoomId=room["RoomId"], MemberId="nobody")
    batch = client.batch_create_room_membership(
        **ids,
        RoomId=room["RoomId"],
        MembershipItemList=[
            {"MemberId": other["UserId"], "Role": "Administrator"},
            {"MemberId": "ghost"},
        ],
    )
    assert batch["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert [(e["MemberId"], e["ErrorCode"]) for e in batch["Errors"]] == [("ghost", "NotFound")]
    listed = client.list_room_memberships(**ids, RoomId=room["RoomId"])["RoomMemberships"]
    assert [(m["Member"]["MemberId"], m["Role"]) for m in listed] == [
        (user["UserId"], "Member"),
        (other["UserId"], "Administrator"),
    ]
    promoted = client.update_room_membership(
        **ids, RoomId=room["RoomId"], MemberId=user["UserId"], Role="Administrator"
    )
    assert promoted["RoomMembership"]["Role"] == "Administrator"
    assert [r["RoomId"] for r in client.list_rooms(**ids, MemberId=user["UserId"])["Rooms"]] == [
        room["RoomId"]
    ]
    client.delete_room_membership(**ids, RoomId=room["RoomId"], MemberId=user["UserId"])
    assert client.list_rooms(**ids, MemberId=user["UserId"])["Rooms"] == []
    with pytest.raises(client.exceptions.NotFoundException):
        client.delete_room_membership(**ids, RoomId=room["RoomId"], MemberId=user["UserId"])
    client.delete_room(**ids, RoomId=room["RoomId"])
    assert client.list_rooms(**ids, MemberId=other["UserId"])["Rooms"] == []


def test_bots(enterprise: tuple[Any, dict[str, Any]]) -> None:
    client, account = enterprise
    ids = {"AccountId": account["AccountId"]}
    response = client.create_bot(**ids, DisplayName="myBot", Domain="example.com")
    bot = response["Bot"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (bot["DisplayName"], bot["BotEmail"], bot["BotType"], bot["Disabled"]) == (
        "myBot (Bot)",
        "myBot-chimebot@example.com",
        "ChatBot",
        False,
    )
    assert bot["UserId"] == bot["BotId"] and len(bot["SecurityToken"]) == 40
    assert client.get_bot(**ids, BotId=bot["BotId"])["Bot"] == bot
    disabled = client.update_bot(**ids, BotId=bot["BotId"], Disabled=True)["Bot"]
    assert disabled["Disabled"] is True
    room = client.create_room(**ids, Name="Bots")["Room"]
    with pytest.raises(client.exceptions.BadRequestException, match="disabled"):
        client.create_room_membership(**ids, RoomId=room["RoomId"], MemberId=bot["BotId"])
    client.update_bot(**ids, BotId=bot["BotId"], Disabled=False)
    joined = client.create_room_membership(**ids, RoomId=room["RoomId"], MemberId=bot["BotId"])[
        "RoomMembership"
    ]
    assert joined["Member"]["MemberType"] == "Bot"
    with pytest.raises(client.exceptions.BadRequestException, match="only for users"):
        client.update_room_membership(
            **ids, RoomId=room["RoomId"], MemberId=bot["BotId"], Role="Administrator"
        )
    token = client.regenerate_security_token(**ids, BotId=bot["BotId"])["Bot"]["SecurityToken"]
    assert token != bot["SecurityToken"] and len(token) == 40
    with pytest.raises(client.exceptions.BadRequestException, match="Domain"):
        client.create_bot(**ids, DisplayName="x", Domain="elsewhere.com")
    for i in range(9):
        client.create_bot(**ids, DisplayName=f"bot{i}")
    with pytest.raises(client.exceptions.ResourceLimitExceededException):
        client.create_bot(**ids, DisplayName="eleventh")
    pages = [client.list_bots(**ids)]
    assert len(pages[0]["Bots"]) == 10 and "NextToken" not in pages[0]
    first = client.list_bots(**ids, MaxResults=4)
    assert len(first["Bots"]) == 4 and first["NextToken"]


def test_events_configuration(enterprise: tuple[Any, dict[str, Any]]) -> None:
    client, account = enterprise
    ids = {"AccountId": account["AccountId"]}
    bot = client.create_bot(**ids, DisplayName="events")["Bot"]
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_events_configuration(**ids, BotId=bot["BotId"])
    response = client.put_events_configuration(
        **ids, BotId=bot["BotId"], OutboundEventsHTTPSEndpoint="https://bot.example.com/events"
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    configuration = client.get_events_configuration(**ids, BotId=bot["BotId"])[
        "EventsConfiguration"
    ]
    assert configuration == {
        "BotId": bot["BotId"],
        "OutboundEventsHTTPSEndpoint": "https://bot.example.com/events",
    }
    with pytest.raises(client.exceptions.BadRequestException, match="exactly one"):
        client.put_events_configuration(**ids, BotId=bot["BotId"])
    assert (
        client.delete_events_configuration(**ids, BotId=bot["BotId"])["ResponseMetadata"][
            "HTTPStatusCode"
        ]
        == 204
    )
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_events_configuration(**ids, BotId=bot["BotId"])


class _Echo(BaseHTTPRequestHandler):
    echo = True
    delay = 0.0  # seconds before answering

    def do_POST(self) -> None:
        time.sleep(self.delay)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        answer = json.dumps({"Challenge": body["Challenge"] if self.echo else "wrong"}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def echo_endpoint() -> Iterator[HTTPServer]:
    listener = HTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=listener.serve_forever, daemon=True)
    thread.start()
    yield listener
    listener.shutdown()
    listener.server_close()


def test_endpoint_verification_when_switched_on(echo_endpoint: HTTPServer) -> None:
    url = f"http://127.0.0.1:{echo_endpoint.server_address[1]}/events"
    with ServerProcess(db=None, extra_args=("--quiet", "--verify-bot-endpoints")) as server:
        tenant = fresh_tenant()
        client, account = (
            sdk_client(server.endpoint_url, tenant),
            enterprise_account(server, tenant),
        )
        ids = {"AccountId": account["AccountId"]}
        bot = client.create_bot(**ids, DisplayName="verified")["Bot"]
        client.put_events_configuration(**ids, BotId=bot["BotId"], OutboundEventsHTTPSEndpoint=url)
        _Echo.echo = False
        try:
            with pytest.raises(client.exceptions.BadRequestException, match="did not echo"):
                client.put_events_configuration(
                    **ids, BotId=bot["BotId"], OutboundEventsHTTPSEndpoint=url
                )
        finally:
            _Echo.echo = True
        with pytest.raises(client.exceptions.BadRequestException, match="verification"):
            client.put_events_configuration(
                **ids,
                BotId=bot["BotId"],
                OutboundEventsHTTPSEndpoint=f"http://127.0.0.1:{closed_port()}/none",
            )


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_verified_endpoint_is_checked_off_the_loop_and_counted_once(
    engine: str, echo_endpoint: HTTPServer, request: pytest.FixtureRequest
) -> None:
    """The HTTPS check runs where it cannot hold up other clients, and the call it belongs to
    spends one rate-limit token, on both engines (the clock is frozen: nothing refills)."""
    db = request.getfixturevalue("postgres_url") if engine == "postgresql" else None
    url = f"http://127.0.0.1:{echo_endpoint.server_address[1]}/events"
    arguments = ("--quiet", "--verify-bot-endpoints", "--rate-limit", "3")
    with ServerProcess(db=db, extra_args=arguments) as server:
        tenant = fresh_tenant()
        account = enterprise_account(server, tenant)
        assert admin(server, "PUT", "clock", {"Now": "2024-01-02T03:04:05.000Z"})[0] == 200
        client = sdk_client(server.endpoint_url, tenant)
        ids = {"AccountId": account["AccountId"]}
        bot = client.create_bot(**ids, DisplayName="verified")["Bot"]  # token 1 of 3
        client.put_events_configuration(**ids, BotId=bot["BotId"], OutboundEventsHTTPSEndpoint=url)
        _Echo.delay = 1.0
        try:  # token 3: while its check waits a second, another client is answered
            with ThreadPoolExecutor(1) as pool:
                slow = pool.submit(
                    client.put_events_configuration,
                    **ids,
                    BotId=bot["BotId"],
                    OutboundEventsHTTPSEndpoint=url,
                )
                time.sleep(0.2)
                began = time.monotonic()
                assert sdk_client(server.endpoint_url).list_accounts()["Accounts"] == []
                assert time.monotonic() - began < 0.5 and not slow.done()
                slow.result()
        finally:
            _Echo.delay = 0.0
        with pytest.raises(client.exceptions.ThrottledClientException):
            client.list_bots(**ids)


def test_retention_settings(enterprise: tuple[Any, dict[str, Any]]) -> None:
    client, account = enterprise
    ids = {"AccountId": account["AccountId"]}
    assert client.get_retention_settings(**ids)["RetentionSettings"] == {}
    settings = {
        "RoomRetentionSettings": {"RetentionDays": 90},
        "ConversationRetentionSettings": {"RetentionDays": 30},
    }
    assert (
        client.put_retention_settings(**ids, RetentionSettings=settings)["ResponseMetadata"][
            "HTTPStatusCode"
        ]
        == 204
    )
    stored = client.get_retention_settings(**ids)
    assert stored["RetentionSettings"] == settings
    assert stored["InitiateDeletionTimestamp"] > account_created(client, account)
    with pytest.raises(client.exceptions.BadRequestException, match="5475"):
        client.put_retention_settings(
            **ids, RetentionSettings={"RoomRetentionSettings": {"RetentionDays": 6000}}
        )


def account_created(client: Any, account: dict[str, Any]) -> Any:
    return client.get_account(AccountId=account["AccountId"])["Account"]["CreatedTimestamp"]


def test_signin_delegate_groups_have_set_semantics(enterprise: tuple[Any, dict[str, Any]]) -> None:
    client, account = enterprise
    ids = {"AccountId": account["AccountId"]}
    client.associate_signin_delegate_groups_with_account(
        **ids, SigninDelegateGroups=[{"GroupName": "admins"}, {"GroupName": "ops"}]
    )
    client.associate_signin_delegate_groups_with_account(
        **ids, SigninDelegateGroups=[{"GroupName": "admins"}]
    )
    groups = client.get_account(**ids)["Account"]["SigninDelegateGroups"]
    assert groups == [{"GroupName": "admins"}, {"GroupName": "ops"}]
    client.disassociate_signin_delegate_groups_from_account(**ids, GroupNames=["admins", "missing"])
    assert client.get_account(**ids)["Account"]["SigninDelegateGroups"] == [{"GroupName": "ops"}]


def test_redaction(enterprise: tuple[Any, dict[str, Any]]) -> None:
    client, account = enterprise
    ids = {"AccountId": account["AccountId"]}
    room = client.create_room(**ids, Name="Chat")["Room"]
    assert (
        client.redact_room_message(**ids, RoomId=room["RoomId"], MessageId="m-1")[
            "ResponseMetadata"
        ]["HTTPStatusCode"]
        == 200
    )
    with pytest.raises(client.exceptions.NotFoundException):
        client.redact_room_message(**ids, RoomId="no-room", MessageId="m-1")
    assert (
        client.redact_conversation_message(**ids, ConversationId="c-1", MessageId="m-2")[
            "ResponseMetadata"
        ]["HTTPStatusCode"]
        == 200
    )
    with pytest.raises(client.exceptions.NotFoundException):
        client.redact_conversation_message(
            AccountId="no-account", ConversationId="c-1", MessageId="m-2"
        )


ENTERPRISE_ONLY = {
    "create_room": lambda c, a: c.create_room(AccountId=a, Name="x"),
    "list_rooms": lambda c, a: c.list_rooms(AccountId=a),
    "create_bot": lambda c, a: c.create_bot(AccountId=a, DisplayName="x"),
    "list_bots": lambda c, a: c.list_bots(AccountId=a),
    "get_retention_settings": lambda c, a: c.get_retention_settings(AccountId=a),
    "put_retention_settings": lambda c, a: c.put_retention_settings(
        AccountId=a, RetentionSettings={}
    ),
    "associate_signin_delegate_groups": lambda c, a: (
        c.associate_signin_delegate_groups_with_account(
            AccountId=a, SigninDelegateGroups=[{"GroupName": "g"}]
        )
    ),
    "disassociate_signin_delegate_groups": lambda c, a: (
        c.disassociate_signin_delegate_groups_from_account(AccountId=a, GroupNames=["g"])
    ),
    "batch_unsuspend_user": lambda c, a: c.batch_unsuspend_user(AccountId=a, UserIdList=["u"]),
}


@pytest.mark.parametrize("call", sorted(ENTERPRISE_ONLY))
def test_enterprise_only_operations_on_a_team_account(
    client: Any, account: dict[str, Any], call: str
) -> None:
    with pytest.raises(ClientError) as caught:
        ENTERPRISE_ONLY[call](client, account["AccountId"])
    assert caught.value.response["Error"]["Code"] == "BadRequestException"
    assert "Team" in caught.value.response["Error"]["Message"]
