"""Accounts: create, get, list with filters and pages, update, delete, settings (decisions 10-12)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest


def test_create_account_makes_a_team_account(client: Any) -> None:
    response = client.create_account(Name="Example Team")
    account = response["Account"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert account["AccountType"] == "Team"
    assert account["AccountStatus"] == "Active"
    assert account["DefaultLicense"] == "Pro"
    assert account["SupportedLicenses"] == ["Basic", "Pro"]
    assert account["SigninDelegateGroups"] == []
    assert len(account["AwsAccountId"]) == 12
    assert isinstance(account["CreatedTimestamp"], datetime)
    assert client.get_account(AccountId=account["AccountId"])["Account"] == account


def test_names_need_not_be_unique(client: Any) -> None:
    first = client.create_account(Name="Same")["Account"]
    second = client.create_account(Name="Same")["Account"]
    assert first["AccountId"] != second["AccountId"]


def test_101_character_name_is_bad_request(client: Any) -> None:
    with pytest.raises(client.exceptions.BadRequestException) as caught:
        client.create_account(Name="x" * 101)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "less than or equal to 100" in caught.value.response["Error"]["Message"]
    assert client.list_accounts()["Accounts"] == []


def test_list_accounts_filters_by_name_prefix_and_user_email(client: Any) -> None:
    alpha = client.create_account(Name="Alpha one")["Account"]
    client.create_account(Name="Beta")
    client.create_user(AccountId=alpha["AccountId"], Email="Member@Example.com")
    by_name = client.list_accounts(Name="Alpha")["Accounts"]
    assert [a["AccountId"] for a in by_name] == [alpha["AccountId"]]
    by_email = client.list_accounts(UserEmail="member@example.com")["Accounts"]
    assert [a["AccountId"] for a in by_email] == [alpha["AccountId"]]
    assert len(client.list_accounts()["Accounts"]) == 2


def test_list_accounts_pages_with_the_boto3_paginator(client: Any) -> None:
    created = [client.create_account(Name=f"Team {i}")["Account"]["AccountId"] for i in range(7)]
    first = client.list_accounts(MaxResults=3)
    assert len(first["Accounts"]) == 3 and first["NextToken"]
    pages = list(client.get_paginator("list_accounts").paginate(PaginationConfig={"PageSize": 3}))
    assert [len(p["Accounts"]) for p in pages] == [3, 3, 1]
    assert "NextToken" not in pages[-1]
    assert [a["AccountId"] for p in pages for a in p["Accounts"]] == created


def test_max_results_out_of_range_is_bad_request(client: Any) -> None:
    with pytest.raises(client.exceptions.BadRequestException):
        client.list_accounts(MaxResults=500)


def test_a_forged_next_token_is_bad_request(client: Any) -> None:
    with pytest.raises(client.exceptions.BadRequestException):
        client.list_accounts(NextToken="bm90LWEtdG9rZW4")


def test_update_account_changes_name_and_default_license(
    client: Any, account: dict[str, Any]
) -> None:
    updated = client.update_account(
        AccountId=account["AccountId"], Name="Renamed", DefaultLicense="Basic"
    )["Account"]
    assert (updated["Name"], updated["DefaultLicense"]) == ("Renamed", "Basic")
    user = client.create_user(AccountId=account["AccountId"], Email="b@example.com")["User"]
    assert user["LicenseType"] == "Basic"


def test_update_account_rejects_an_unsupported_license(
    client: Any, account: dict[str, Any]
) -> None:
    with pytest.raises(client.exceptions.BadRequestException, match="Plus"):
        client.update_account(AccountId=account["AccountId"], DefaultLicense="Plus")
    assert client.get_account(AccountId=account["AccountId"])["Account"]["DefaultLicense"] == "Pro"


def test_delete_team_account_with_members_is_unprocessable(
    client: Any, account: dict[str, Any]
) -> None:
    user = client.create_user(AccountId=account["AccountId"], Email="m@example.com")["User"]
    with pytest.raises(client.exceptions.UnprocessableEntityException) as caught:
        client.delete_account(AccountId=account["AccountId"])
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 422
    client.batch_suspend_user(AccountId=account["AccountId"], UserIdList=[user["UserId"]])
    response = client.delete_account(AccountId=account["AccountId"])
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_account(AccountId=account["AccountId"])
    assert client.list_accounts()["Accounts"] == []


def test_account_settings_default_false_and_partial_update(
    client: Any, account: dict[str, Any]
) -> None:
    settings = client.get_account_settings(AccountId=account["AccountId"])["AccountSettings"]
    assert settings == {"DisableRemoteControl": False, "EnableDialOut": False}
    response = client.update_account_settings(
        AccountId=account["AccountId"], AccountSettings={"DisableRemoteControl": True}
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    settings = client.get_account_settings(AccountId=account["AccountId"])["AccountSettings"]
    assert settings == {"DisableRemoteControl": True, "EnableDialOut": False}


@pytest.mark.parametrize(
    "call",
    [
        lambda c, a: c.get_account(AccountId=a),
        lambda c, a: c.update_account(AccountId=a, Name="x"),
        lambda c, a: c.delete_account(AccountId=a),
        lambda c, a: c.get_account_settings(AccountId=a),
        lambda c, a: c.list_users(AccountId=a),
    ],
)
def test_unknown_account_is_not_found_everywhere(client: Any, call: Any) -> None:
    with pytest.raises(client.exceptions.NotFoundException):
        call(client, "11111111-2222-4333-8444-555555555555")


def test_another_tenants_account_is_not_found(make_client: Any) -> None:
    owner, stranger = make_client(), make_client()
    account = owner.create_account(Name="Private")["Account"]
    with pytest.raises(stranger.exceptions.NotFoundException):
        stranger.get_account(AccountId=account["AccountId"])
    assert stranger.list_accounts()["Accounts"] == []
