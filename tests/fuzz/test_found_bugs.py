"""Regressions for what the fuzz suite found beyond the hardening list, one test each."""

from __future__ import annotations

from chime_local.testing import ServerProcess
from tests.api.admin_calls import enterprise_account
from tests.support import fresh_tenant, sdk_client


def test_batch_item_without_an_id_is_an_error_without_an_empty_id(server: ServerProcess) -> None:
    """An item error names the item's id; an item with no id had ``"MemberId": ""``, which is
    no valid ``NonEmptyString`` (found by the fuzz suite's output-schema check)."""
    tenant = fresh_tenant()
    client = sdk_client(server.endpoint_url, tenant)
    account_id = enterprise_account(server, tenant)["AccountId"]
    room_id = client.create_room(AccountId=account_id, Name="Batch room")["Room"]["RoomId"]
    answer = client.batch_create_room_membership(
        AccountId=account_id, RoomId=room_id, MembershipItemList=[{"Role": "Member"}]
    )
    assert [sorted(error) for error in answer["Errors"]] == [["ErrorCode", "ErrorMessage"]]
    assert answer["Errors"][0]["ErrorCode"] == "NotFound"
    assert (
        client.list_room_memberships(AccountId=account_id, RoomId=room_id)["RoomMemberships"] == []
    )


def test_batch_item_with_a_blank_id_is_an_error_without_the_id(server: ServerProcess) -> None:
    """``PhoneNumberIds`` items may be any string, the answer's ``PhoneNumberId`` may not be
    blank (found by ``./run fuzz``: ``{"PhoneNumberIds": [" "]}``)."""
    client = sdk_client(server.endpoint_url, fresh_tenant())
    answer = client.batch_delete_phone_number(PhoneNumberIds=[" ", "+12065550199"])
    errors = answer["PhoneNumberErrors"]
    assert [error.get("PhoneNumberId") for error in errors] == [None, "+12065550199"]
    assert {error["ErrorCode"] for error in errors} == {"NotFound"}
