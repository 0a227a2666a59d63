"""GetUser exactly as the boto3 documentation promises: every field and every exception."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError, ParamValidationError

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def test_created_user_has_every_documented_field(client: Any, account: dict[str, Any]) -> None:
    created = client.create_user(
        AccountId=account["AccountId"], Email="Jane.Doe@Example.com", Username="Jane Doe"
    )["User"]
    user = client.get_user(AccountId=account["AccountId"], UserId=created["UserId"])["User"]
    assert UUID4.match(user["UserId"])
    assert user["AccountId"] == account["AccountId"]
    assert user["PrimaryEmail"] == "Jane.Doe@Example.com"
    assert user["DisplayName"] == "Jane Doe"
    assert user["LicenseType"] == "Pro"
    assert user["UserType"] == "PrivateUser"
    assert user["UserRegistrationStatus"] == "Registered"
    assert isinstance(user["RegisteredOn"], datetime) and user["RegisteredOn"].tzinfo is not None
    assert user["AlexaForBusinessMetadata"] == {"IsAlexaForBusinessEnabled": False}
    assert re.fullmatch(r"\d{10}", user["PersonalPIN"])
    assert "UserInvitationStatus" not in user and "InvitedOn" not in user
    assert user == created


def test_display_name_defaults_to_the_email_local_part(
    client: Any, account: dict[str, Any]
) -> None:
    user = client.create_user(AccountId=account["AccountId"], Email="sam@example.com")["User"]
    assert user["DisplayName"] == "sam"


def test_invited_user_has_invitation_fields(client: Any, account: dict[str, Any]) -> None:
    client.invite_users(AccountId=account["AccountId"], UserEmailList=["new@example.com"])
    listed = client.list_users(AccountId=account["AccountId"], UserEmail="new@example.com")
    user = client.get_user(AccountId=account["AccountId"], UserId=listed["Users"][0]["UserId"])
    user = user["User"]
    assert user["UserInvitationStatus"] == "Pending"
    assert user["UserRegistrationStatus"] == "Unregistered"
    assert isinstance(user["InvitedOn"], datetime)
    assert "PersonalPIN" not in user and "RegisteredOn" not in user


def test_unknown_user_is_not_found_404(client: Any, account: dict[str, Any]) -> None:
    with pytest.raises(client.exceptions.NotFoundException) as caught:
        client.get_user(
            AccountId=account["AccountId"], UserId="00000000-0000-4000-8000-000000000000"
        )
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert error["Error"]["Code"] == "NotFoundException"
    assert "00000000-0000-4000-8000-000000000000" in error["Error"]["Message"]
    assert error["Code"] == "NotFound"


def test_unknown_account_is_not_found(client: Any) -> None:
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_user(AccountId="00000000-0000-4000-8000-000000000000", UserId="u")


def test_user_of_another_account_is_not_found(client: Any, account: dict[str, Any]) -> None:
    other = client.create_account(Name="Other")["Account"]
    user = client.create_user(AccountId=other["AccountId"], Email="x@example.com")["User"]
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_user(AccountId=account["AccountId"], UserId=user["UserId"])


def test_whitespace_only_user_id_is_bad_request_400(client: Any, account: dict[str, Any]) -> None:
    with pytest.raises(client.exceptions.BadRequestException) as caught:
        client.get_user(AccountId=account["AccountId"], UserId="   ")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "UserId" in caught.value.response["Error"]["Message"]


def test_empty_ids_are_caught_by_botocore_or_rejected(client: Any, account: dict[str, Any]) -> None:
    with pytest.raises((ParamValidationError, ClientError)) as caught:
        client.get_user(AccountId=account["AccountId"], UserId="")
    if isinstance(caught.value, ClientError):
        assert caught.value.response["Error"]["Code"] == "BadRequestException"


def test_get_user_without_a_signature_is_unauthorized(server: Any, make_client: Any) -> None:
    from botocore import UNSIGNED
    from botocore.config import Config

    unsigned = make_client(config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}))
    with pytest.raises(unsigned.exceptions.UnauthorizedClientException) as caught:
        unsigned.get_user(AccountId="a", UserId="u")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 401


def test_request_id_is_a_uuid4(client: Any, account: dict[str, Any]) -> None:
    response = client.get_account(AccountId=account["AccountId"])
    assert UUID4.match(response["ResponseMetadata"]["RequestId"])
