"""JSON ``null`` anywhere in a request: absent for a structure member, rejected in a list.

Raw signed requests, since the SDKs never send ``null``: each must answer a modeled error or a
success, never a 500, and a rejected request changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from chime_local.testing import ServerProcess
from tests.api.admin_calls import enterprise_account
from tests.api.raw import call
from tests.support import fresh_tenant, sdk_client

NULL_MEMBER = "failed to satisfy constraint: Member must not be null"


def raw(server: ServerProcess, key: str, method: str, path: str, body: Any) -> tuple[int, Any]:
    auth = (
        f"AWS4-HMAC-SHA256 Credential={key}/20240101/us-east-1/chime/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0000"
    )
    status, headers, payload = call(
        server.endpoint_url, method, path, json.dumps(body).encode(), {"Authorization": auth}
    )
    document = json.loads(payload) if payload else None
    if status >= 400:
        assert headers["x-amzn-errortype"] == "BadRequestException", (status, document)
    return status, document


@pytest.fixture
def tenant(server: ServerProcess) -> tuple[str, Any, dict[str, Any]]:
    key = fresh_tenant()
    return key, sdk_client(server.endpoint_url, key), enterprise_account(server, key)


NULL_LIST_ITEMS = [
    ("POST", "/accounts/{a}/users", "UpdateUserRequestItems"),  # BatchUpdateUser
    ("POST", "/accounts/{a}/users?operation=add", "UserEmailList"),  # InviteUsers
    ("POST", "/phone-numbers?operation=batch-delete", "PhoneNumberIds"),
    ("POST", "/phone-numbers?operation=batch-update", "UpdatePhoneNumberRequestItems"),
    ("POST", "/accounts/{a}?operation=associate-signin-delegate-groups", "SigninDelegateGroups"),
    ("POST", "/accounts/{a}/users?operation=suspend", "UserIdList"),  # BatchSuspendUser
]


@pytest.mark.parametrize(("method", "path", "member"), NULL_LIST_ITEMS)
def test_a_null_list_item_is_a_bad_request(
    server: ServerProcess,
    tenant: tuple[str, Any, dict[str, Any]],
    method: str,
    path: str,
    member: str,
) -> None:
    key, client, account = tenant
    status, document = raw(
        server, key, method, path.format(a=account["AccountId"]), {member: [None]}
    )
    assert status == 400
    assert f"Value null at '{member}.1.member' {NULL_MEMBER}" in document["Message"]
    assert client.list_users(AccountId=account["AccountId"])["Users"] == []


def test_a_null_in_a_phone_number_order_orders_nothing(
    server: ServerProcess, tenant: tuple[str, Any, dict[str, Any]]
) -> None:
    key, client, _ = tenant
    body = {"ProductType": "BusinessCalling", "E164PhoneNumbers": ["+12065550100", None]}
    status, document = raw(server, key, "POST", "/phone-number-orders", body)
    assert status == 400
    assert f"Value null at 'E164PhoneNumbers.2.member' {NULL_MEMBER}" in document["Message"]
    assert client.list_phone_number_orders()["PhoneNumberOrders"] == []


def test_a_null_room_membership_item_is_a_bad_request(
    server: ServerProcess, tenant: tuple[str, Any, dict[str, Any]]
) -> None:
    key, client, account = tenant
    room = client.create_room(AccountId=account["AccountId"], Name="Room")["Room"]
    path = f"/accounts/{account['AccountId']}/rooms/{room['RoomId']}/memberships"
    status, document = raw(
        server, key, "POST", path + "?operation=batch-create", {"MembershipItemList": [None]}
    )
    assert status == 400
    assert f"Value null at 'MembershipItemList.1.member' {NULL_MEMBER}" in document["Message"]


def test_a_null_optional_member_is_absent(
    server: ServerProcess, tenant: tuple[str, Any, dict[str, Any]]
) -> None:
    key, client, account = tenant
    path = f"/accounts/{account['AccountId']}"
    status, document = raw(server, key, "POST", path, {"Name": None})
    assert status == 200
    assert document["Account"]["Name"] == account["Name"]
    assert client.get_account(AccountId=account["AccountId"])["Account"]["Name"] == account["Name"]


def test_null_settings_are_absent_or_missing(
    server: ServerProcess, tenant: tuple[str, Any, dict[str, Any]]
) -> None:
    key, client, account = tenant
    before = client.get_global_settings()
    status, _ = raw(server, key, "PUT", "/settings", {"BusinessCalling": None})
    assert status == 204
    after = client.get_global_settings()
    assert after.get("BusinessCalling") == before.get("BusinessCalling")
    path = f"/accounts/{account['AccountId']}/retention-settings"
    status, document = raw(server, key, "PUT", path, {"RetentionSettings": None})
    assert (
        status == 400 and f"Value null at 'RetentionSettings' {NULL_MEMBER}" in document["Message"]
    )
    status, _ = raw(
        server, key, "PUT", path, {"RetentionSettings": {"RoomRetentionSettings": None}}
    )
    assert status in (200, 204)
    settings = client.get_retention_settings(AccountId=account["AccountId"])
    assert "RoomRetentionSettings" not in settings.get("RetentionSettings", {})
