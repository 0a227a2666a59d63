"""The invitation outbox: InviteUsers records the email, its link registers the user.

Black-box over a real server with boto3; the clock tests run on a server of their own because
they move its clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import boto3
import pytest

from chime_local import mock_chime
from chime_local.testing import ServerProcess
from tests.api.admin_calls import admin
from tests.api.raw import call
from tests.support import sdk_client

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def team_with_invitee(client: Any, *emails: str) -> str:
    account_id: str = client.create_account(Name="Invitees")["Account"]["AccountId"]
    client.invite_users(AccountId=account_id, UserEmailList=list(emails or ["new@example.com"]))
    return account_id


def outbox(server: ServerProcess, **query: str) -> dict[str, Any]:
    status, document = admin(server, "GET", f"outbox?{urlencode(query)}")
    assert status == 200, document
    return dict(document)


def page(server: ServerProcess, method: str, link: str, form: str = "") -> tuple[int, str]:
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": server.endpoint_url}
    status, _, body = call(
        server.endpoint_url, method, link, form.encode() or None, headers, signed=False
    )
    return status, body.decode()


def accept_through_link(server: ServerProcess, link: str) -> tuple[int, str]:
    status, body = page(server, "GET", link)
    assert status == 200, body
    token = CSRF.search(body)
    assert token is not None
    return page(server, "POST", link, f"csrf={token.group(1)}")


def test_an_invitation_email_is_recorded_with_its_link(server: ServerProcess, client: Any) -> None:
    account_id = team_with_invitee(client, "ada@example.com")
    emails = outbox(server, AccountId=account_id)["Emails"]
    assert len(emails) == 1
    email = emails[0]
    assert email["Recipient"] == "ada@example.com"
    assert "Invitees" in email["Subject"]
    assert email["Link"] in email["Body"]
    assert email["Link"].startswith("/_chime_local/invitations/")
    assert email["Url"] == server.endpoint_url + email["Link"]
    user = client.list_users(AccountId=account_id)["Users"][0]
    assert email["UserId"] == user["UserId"]
    assert re.fullmatch(r"\d{12}", email["Tenant"])
    assert email["SentAt"] == user["InvitedOn"].strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{user['InvitedOn'].microsecond // 1000:03d}Z"
    )


def test_a_failed_invitation_sends_no_email(server: ServerProcess, client: Any) -> None:
    account_id = client.create_account(Name="Registered")["Account"]["AccountId"]
    client.create_user(AccountId=account_id, Email="there@example.com")
    client.invite_users(AccountId=account_id, UserEmailList=["there@example.com"])
    assert outbox(server, AccountId=account_id)["Emails"] == []


def test_opening_the_link_registers_the_user_as_accept_invitation_does(
    server: ServerProcess, client: Any
) -> None:
    account_id = team_with_invitee(client, "grace@example.com")
    email = outbox(server, AccountId=account_id)["Emails"][0]
    status, body = accept_through_link(server, email["Link"])
    assert status == 200, body
    assert "Registered" in body
    user = client.get_user(AccountId=account_id, UserId=email["UserId"])["User"]
    assert user["UserRegistrationStatus"] == "Registered"
    assert user["UserInvitationStatus"] == "Accepted"
    assert "RegisteredOn" in user
    assert re.fullmatch(r"\d{10}", user["PersonalPIN"])
    again, _ = page(server, "GET", email["Link"])
    assert again == 409


def test_a_link_submitted_without_the_pages_token_changes_nothing(
    server: ServerProcess, client: Any
) -> None:
    account_id = team_with_invitee(client)
    email = outbox(server, AccountId=account_id)["Emails"][0]
    status, _ = page(server, "POST", email["Link"], "csrf=0")
    assert status == 403
    user = client.get_user(AccountId=account_id, UserId=email["UserId"])["User"]
    assert user["UserRegistrationStatus"] == "Unregistered"


def test_an_unknown_token_is_a_404(server: ServerProcess) -> None:
    status, body = page(server, "GET", "/_chime_local/invitations/no-such-token")
    assert status == 404
    assert "no such invitation" in body


def test_the_outbox_filters_newest_first_and_paginates(server: ServerProcess, client: Any) -> None:
    account_id = team_with_invitee(
        client, "one@example.com", "two@example.com", "three@example.com"
    )
    listed = outbox(server, AccountId=account_id)["Emails"]
    assert len(listed) == 3
    assert [e["SentAt"] for e in listed] == sorted((e["SentAt"] for e in listed), reverse=True)
    only = outbox(server, AccountId=account_id, Recipient="two@example.com")["Emails"]
    assert [e["Recipient"] for e in only] == ["two@example.com"]
    tenant = listed[0]["Tenant"]
    assert len(outbox(server, Tenant=tenant)["Emails"]) == 3
    seen, query = [], {"AccountId": account_id, "limit": "2"}
    while True:
        document = outbox(server, **query)
        seen += [e["Token"] for e in document["Emails"]]
        if "NextToken" not in document:
            break
        query["NextToken"] = document["NextToken"]
    assert seen == [e["Token"] for e in listed]


def test_a_bad_next_token_is_a_400(server: ServerProcess) -> None:
    status, document = admin(server, "GET", "outbox?NextToken=nonsense")
    assert status == 400
    assert "NextToken" in document["Message"]


@pytest.fixture
def own_server(tmp_path: Any) -> Iterator[ServerProcess]:
    with ServerProcess(db=tmp_path / "chime.db", extra_args=("--quiet",)) as process:
        yield process


def test_a_link_expires_after_thirty_days_on_the_server_clock(own_server: ServerProcess) -> None:
    client = sdk_client(own_server.endpoint_url, None)
    account_id = team_with_invitee(client)
    email = outbox(own_server)["Emails"][0]
    assert admin(own_server, "PUT", "clock", {"Advance": 29 * 86400})[0] == 200
    assert page(own_server, "GET", email["Link"])[0] == 200
    assert admin(own_server, "PUT", "clock", {"Advance": 86400})[0] == 200
    status, body = page(own_server, "GET", email["Link"])
    assert status == 410
    assert "expired" in body
    user = client.get_user(AccountId=account_id, UserId=email["UserId"])["User"]
    assert user["UserRegistrationStatus"] == "Unregistered"


def test_delete_empties_the_outbox_and_export_and_seed_carry_it(
    own_server: ServerProcess,
) -> None:
    client = sdk_client(own_server.endpoint_url, None)
    team_with_invitee(client, "kept@example.com")
    before = outbox(own_server)["Emails"]
    status, exported = admin(own_server, "GET", "export")
    assert status == 200
    assert [e["Token"] for e in exported["accounts"][0]["outbox"]] == [before[0]["Token"]]
    assert admin(own_server, "DELETE", "outbox") == (200, {"Deleted": 1})
    assert outbox(own_server)["Emails"] == []
    assert admin(own_server, "POST", "seed?replace=true", exported)[0] == 201
    assert outbox(own_server)["Emails"] == before
    status, body = accept_through_link(own_server, before[0]["Link"])
    assert status == 200, body


def test_the_outbox_survives_a_restart(tmp_path: Any) -> None:
    db = tmp_path / "chime.db"
    with ServerProcess(db=db, extra_args=("--quiet",)) as first:
        team_with_invitee(sdk_client(first.endpoint_url, None))
        before = outbox(first)["Emails"]
    with ServerProcess(db=db, extra_args=("--quiet",)) as second:
        after = outbox(second)["Emails"]
    port = urlsplit(second.endpoint_url).port
    assert [{**e, "Url": None} for e in after] == [{**e, "Url": None} for e in before]
    assert after[0]["Url"].endswith(f":{port}{after[0]['Link']}")


def test_the_in_process_emulator_exposes_its_outbox() -> None:
    with mock_chime() as chime:
        client = boto3.client("chime", region_name="us-east-1")
        account_id = team_with_invitee(client, "a@example.com", "b@example.com")
        emails = chime.outbox(account_id=account_id)
        assert sorted(e["Recipient"] for e in emails) == ["a@example.com", "b@example.com"]
        assert [e["Recipient"] for e in chime.outbox(recipient="b@example.com")] == [
            "b@example.com"
        ]
        assert chime.outbox(tenant="000000000000") == []
