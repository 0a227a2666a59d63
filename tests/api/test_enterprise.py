"""Enterprise accounts, made through the admin API, and the rules that depend on account type."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.admin_calls import enterprise_account
from tests.api.raw import call


@pytest.fixture
def tenant_client(make_client: Any) -> tuple[str, Any]:
    from tests.support import fresh_tenant

    tenant = fresh_tenant()
    return tenant, make_client(tenant)


def test_admin_creates_any_account_type_visible_through_chime(
    server: Any, tenant_client: tuple[str, Any]
) -> None:
    tenant, client = tenant_client
    account = enterprise_account(server, tenant, "EnterpriseLWA")
    assert account["AccountType"] == "EnterpriseLWA" and account["AwsAccountId"] == tenant
    fetched = client.get_account(AccountId=account["AccountId"])["Account"]
    assert fetched.pop("CreatedTimestamp").isoformat(timespec="milliseconds").replace(
        "+00:00", "Z"
    ) == account.pop("CreatedTimestamp")
    assert fetched == account


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "Name"),
        ({"Name": "x", "AccountType": "Huge"}, "AccountType"),
        ({"Name": "x", "AwsAccountId": "12"}, "AwsAccountId"),
        ({"Name": "x", "Domains": "a"}, "Domains"),
    ],
)
def test_admin_account_input_errors_name_the_field(
    server: Any, body: dict[str, Any], field: str
) -> None:
    status, _, payload = call(
        server.endpoint_url, "POST", "/_chime_local/accounts", body, signed=False
    )
    assert status == 400 and json.loads(payload)["Message"].startswith(field)


def test_lwa_suspend_and_unsuspend(server: Any, tenant_client: tuple[str, Any]) -> None:
    tenant, client = tenant_client
    account = enterprise_account(server, tenant, "EnterpriseLWA")
    user = client.create_user(AccountId=account["AccountId"], Email="e@example.com")["User"]
    ids = {"AccountId": account["AccountId"]}
    assert client.batch_suspend_user(**ids, UserIdList=[user["UserId"]])["UserErrors"] == []
    fetched = client.get_user(**ids, UserId=user["UserId"])["User"]
    assert fetched["UserRegistrationStatus"] == "Suspended"
    other = client.create_user(**ids, Email="still@example.com")["User"]
    with pytest.raises(client.exceptions.UnprocessableEntityException):
        client.delete_account(**ids)
    response = client.batch_unsuspend_user(**ids, UserIdList=[user["UserId"], other["UserId"]])
    assert response["UserErrors"] == []
    assert (
        client.get_user(**ids, UserId=user["UserId"])["User"]["UserRegistrationStatus"]
        == "Registered"
    )
    assert (
        client.get_user(**ids, UserId=other["UserId"])["User"]["UserRegistrationStatus"]
        == "Registered"
    )
    client.batch_suspend_user(**ids, UserIdList=[user["UserId"], other["UserId"]])
    assert client.delete_account(**ids)["ResponseMetadata"]["HTTPStatusCode"] == 204


@pytest.mark.parametrize("account_type", ["EnterpriseDirectory", "EnterpriseOIDC"])
def test_directory_accounts_cannot_suspend_through_chime(
    server: Any, tenant_client: tuple[str, Any], account_type: str
) -> None:
    tenant, client = tenant_client
    account = enterprise_account(server, tenant, account_type)
    user = client.create_user(AccountId=account["AccountId"], Email="d@example.com")["User"]
    response = client.batch_suspend_user(
        AccountId=account["AccountId"], UserIdList=[user["UserId"]]
    )
    assert [e["ErrorCode"] for e in response["UserErrors"]] == ["BadRequest"]
    with pytest.raises(client.exceptions.BadRequestException, match=account_type):
        client.batch_unsuspend_user(AccountId=account["AccountId"], UserIdList=[user["UserId"]])


def test_invite_users_on_an_enterprise_account_is_bad_request(
    server: Any, tenant_client: tuple[str, Any]
) -> None:
    tenant, client = tenant_client
    account = enterprise_account(server, tenant, "EnterpriseLWA")
    with pytest.raises(client.exceptions.BadRequestException, match="EnterpriseLWA"):
        client.invite_users(AccountId=account["AccountId"], UserEmailList=["x@example.com"])


def test_health(server: Any) -> None:
    status, _, body = call(server.endpoint_url, "GET", "/_chime_local/health", signed=False)
    document = json.loads(body)
    assert status == 200 and document["Status"] == "ok"
    assert document["Storage"].startswith(("sqlite:", "postgresql://"))
    assert document["StoreStatus"] == "ok" and document["UptimeSeconds"] >= 0
    assert document["Operations"]["Total"] == 62
