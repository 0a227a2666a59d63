"""Users: create, invite, list, update, batches, suspend, PIN, logout, settings (decisions 13-19)."""

from __future__ import annotations

from typing import Any

import pytest


def create(client: Any, account: dict[str, Any], email: str, **kwargs: Any) -> dict[str, Any]:
    user: dict[str, Any] = client.create_user(
        AccountId=account["AccountId"], Email=email, **kwargs
    )["User"]
    return user


def test_create_user_answers_201_and_needs_an_email(client: Any, account: dict[str, Any]) -> None:
    response = client.create_user(AccountId=account["AccountId"], Email="a@example.com")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    with pytest.raises(client.exceptions.BadRequestException, match="Email"):
        client.create_user(AccountId=account["AccountId"], Username="nobody")


def test_shared_device_user_type(client: Any, account: dict[str, Any]) -> None:
    assert (
        create(client, account, "room@example.com", UserType="SharedDevice")["UserType"]
        == "SharedDevice"
    )


def test_same_email_in_one_account_conflicts_case_insensitively(
    client: Any, account: dict[str, Any]
) -> None:
    create(client, account, "Dup@Example.com")
    with pytest.raises(client.exceptions.ConflictException) as caught:
        create(client, account, "dup@example.COM")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    other = client.create_account(Name="Other")["Account"]
    assert create(client, other, "dup@example.com")["PrimaryEmail"] == "dup@example.com"


def test_pins_are_unique_ten_digit_and_reset_changes_them(
    client: Any, account: dict[str, Any]
) -> None:
    users = [create(client, account, f"p{i}@example.com") for i in range(5)]
    pins = {u["PersonalPIN"] for u in users}
    assert len(pins) == 5
    reset = client.reset_personal_pin(AccountId=account["AccountId"], UserId=users[0]["UserId"])[
        "User"
    ]
    assert reset["PersonalPIN"] != users[0]["PersonalPIN"] and len(reset["PersonalPIN"]) == 10
    fetched = client.get_user(AccountId=account["AccountId"], UserId=users[0]["UserId"])["User"]
    assert fetched["PersonalPIN"] == reset["PersonalPIN"]


def test_invite_users(client: Any, account: dict[str, Any]) -> None:
    create(client, account, "member@example.com")
    response = client.invite_users(
        AccountId=account["AccountId"], UserEmailList=["new@example.com", "member@example.com"]
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    new, member = response["Invites"]
    assert (new["Status"], new["EmailStatus"], new["EmailAddress"]) == (
        "Pending",
        "Sent",
        "new@example.com",
    )
    assert (member["Status"], member["EmailStatus"]) == ("Failed", "NotSent")
    again = client.invite_users(AccountId=account["AccountId"], UserEmailList=["new@example.com"])
    assert again["Invites"][0]["InviteId"] != new["InviteId"]
    assert again["Invites"][0]["Status"] == "Pending"
    pending = client.list_users(AccountId=account["AccountId"], UserEmail="new@example.com")[
        "Users"
    ]
    assert len(pending) == 1 and pending[0]["UserInvitationStatus"] == "Pending"


def test_invite_more_than_50_is_bad_request(client: Any, account: dict[str, Any]) -> None:
    with pytest.raises(client.exceptions.BadRequestException, match="50"):
        client.invite_users(
            AccountId=account["AccountId"], UserEmailList=[f"u{i}@example.com" for i in range(51)]
        )
    assert client.list_users(AccountId=account["AccountId"])["Users"] == []


def test_list_users_omits_pins_and_filters(client: Any, account: dict[str, Any]) -> None:
    create(client, account, "one@example.com")
    create(client, account, "Two@Example.com", UserType="SharedDevice")
    users = client.list_users(AccountId=account["AccountId"])["Users"]
    assert len(users) == 2 and all("PersonalPIN" not in u for u in users)
    by_email = client.list_users(AccountId=account["AccountId"], UserEmail="two@example.com")[
        "Users"
    ]
    assert [u["PrimaryEmail"] for u in by_email] == ["Two@Example.com"]
    by_type = client.list_users(AccountId=account["AccountId"], UserType="PrivateUser")["Users"]
    assert [u["PrimaryEmail"] for u in by_type] == ["one@example.com"]


def test_list_users_pages_across_pages(client: Any, account: dict[str, Any]) -> None:
    emails = [create(client, account, f"u{i}@example.com")["PrimaryEmail"] for i in range(5)]
    pages = list(
        client.get_paginator("list_users").paginate(
            AccountId=account["AccountId"], PaginationConfig={"PageSize": 2}
        )
    )
    assert [len(p["Users"]) for p in pages] == [2, 2, 1]
    assert [u["PrimaryEmail"] for p in pages for u in p["Users"]] == emails
    with pytest.raises(client.exceptions.BadRequestException):
        client.list_users(AccountId=account["AccountId"], MaxResults=500)


def test_a_token_from_one_filter_is_refused_for_another(
    client: Any, account: dict[str, Any]
) -> None:
    for i in range(3):
        create(client, account, f"t{i}@example.com")
    token = client.list_users(AccountId=account["AccountId"], MaxResults=1)["NextToken"]
    with pytest.raises(client.exceptions.BadRequestException, match="NextToken"):
        client.list_users(AccountId=account["AccountId"], UserType="SharedDevice", NextToken=token)


def test_update_user_license(client: Any, account: dict[str, Any]) -> None:
    user = create(client, account, "lic@example.com")
    updated = client.update_user(
        AccountId=account["AccountId"], UserId=user["UserId"], LicenseType="Basic"
    )
    assert updated["User"]["LicenseType"] == "Basic"
    assert updated["User"]["PrimaryEmail"] == "lic@example.com"
    with pytest.raises(client.exceptions.BadRequestException, match="Plus"):
        client.update_user(
            AccountId=account["AccountId"], UserId=user["UserId"], LicenseType="Plus"
        )
    assert (
        client.get_user(AccountId=account["AccountId"], UserId=user["UserId"])["User"][
            "LicenseType"
        ]
        == "Basic"
    )


def test_batch_update_user_reports_per_user_errors(client: Any, account: dict[str, Any]) -> None:
    user = create(client, account, "batch@example.com")
    response = client.batch_update_user(
        AccountId=account["AccountId"],
        UpdateUserRequestItems=[
            {"UserId": user["UserId"], "LicenseType": "Basic"},
            {"UserId": "missing-user", "LicenseType": "Basic"},
            {"UserId": user["UserId"] + "-x", "LicenseType": "Pro"},
        ],
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert [e["ErrorCode"] for e in response["UserErrors"]] == ["NotFound", "NotFound"]
    assert (
        client.get_user(AccountId=account["AccountId"], UserId=user["UserId"])["User"][
            "LicenseType"
        ]
        == "Basic"
    )
    bad = client.batch_update_user(
        AccountId=account["AccountId"],
        UpdateUserRequestItems=[{"UserId": user["UserId"], "LicenseType": "Plus"}],
    )
    assert bad["UserErrors"][0]["ErrorCode"] == "BadRequest"


def test_batch_update_more_than_20_items_is_bad_request(
    client: Any, account: dict[str, Any]
) -> None:
    items = [{"UserId": f"u{i}", "LicenseType": "Basic"} for i in range(21)]
    with pytest.raises(client.exceptions.BadRequestException, match="20"):
        client.batch_update_user(AccountId=account["AccountId"], UpdateUserRequestItems=items)


def test_team_suspend_removes_members_and_reinvite_brings_them_back(
    client: Any, account: dict[str, Any]
) -> None:
    user = create(client, account, "leaver@example.com")
    response = client.batch_suspend_user(
        AccountId=account["AccountId"], UserIdList=[user["UserId"], "ghost"]
    )
    assert [(e["UserId"], e["ErrorCode"]) for e in response["UserErrors"]] == [
        ("ghost", "NotFound")
    ]
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_user(AccountId=account["AccountId"], UserId=user["UserId"])
    assert client.list_users(AccountId=account["AccountId"])["Users"] == []
    invite = client.invite_users(
        AccountId=account["AccountId"], UserEmailList=["leaver@example.com"]
    )
    assert invite["Invites"][0]["Status"] == "Pending"
    back = client.list_users(AccountId=account["AccountId"])["Users"]
    assert (
        back[0]["UserRegistrationStatus"] == "Unregistered" and back[0]["UserId"] != user["UserId"]
    )


def test_unsuspend_on_a_team_account_is_bad_request_naming_the_type(
    client: Any, account: dict[str, Any]
) -> None:
    with pytest.raises(client.exceptions.BadRequestException, match="Team"):
        client.batch_unsuspend_user(AccountId=account["AccountId"], UserIdList=["u"])


def test_logout_user_answers_204(client: Any, account: dict[str, Any]) -> None:
    user = create(client, account, "out@example.com")
    response = client.logout_user(AccountId=account["AccountId"], UserId=user["UserId"])
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(client.exceptions.NotFoundException):
        client.logout_user(AccountId=account["AccountId"], UserId="ghost")


def test_user_settings_default_false_and_update(client: Any, account: dict[str, Any]) -> None:
    user = create(client, account, "tel@example.com")
    ids = {"AccountId": account["AccountId"], "UserId": user["UserId"]}
    assert client.get_user_settings(**ids)["UserSettings"] == {
        "Telephony": {"InboundCalling": False, "OutboundCalling": False, "SMS": False}
    }
    telephony = {"InboundCalling": True, "OutboundCalling": True, "SMS": False}
    response = client.update_user_settings(**ids, UserSettings={"Telephony": telephony})
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert client.get_user_settings(**ids)["UserSettings"]["Telephony"] == telephony
