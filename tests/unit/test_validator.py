"""Server-side validation of every model constraint, reported in one BadRequestException."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.model import ShapeResolver

from chime_local.errors import BadRequestException
from chime_local.protocol.api import load_api
from chime_local.protocol.validator import Validator

API = load_api()


def problems(operation: str, params: dict[str, Any]) -> str:
    with pytest.raises(BadRequestException) as caught:
        Validator().validate(API.operations[operation].input_shape, params)
    return caught.value.message


def test_max_length_in_aws_wording() -> None:
    message = problems("CreateAccount", {"Name": "x" * 101})
    assert message == (
        f"1 validation error detected: Value '{'x' * 101}' at 'Name' failed to satisfy "
        "constraint: Member must have length less than or equal to 100"
    )


def test_whitespace_only_label_fails_the_pattern() -> None:
    message = problems("GetUser", {"AccountId": "a", "UserId": "   "})
    assert "at 'UserId'" in message and "regular expression pattern: .*\\S.*" in message


def test_required_members_are_reported() -> None:
    assert "Value null at 'Name'" in problems("CreateAccount", {})


def test_range_enum_and_list_size_together() -> None:
    message = problems(
        "InviteUsers",
        {
            "AccountId": "a",
            "UserEmailList": [f"u{i}@example.com" for i in range(51)],
            "UserType": "Robot",
        },
    )
    assert message.startswith("2 validation errors detected: ")
    assert (
        "at 'UserEmailList' failed to satisfy constraint: Member must have length less than or equal to 50"
        in message
    )
    assert "Member must satisfy enum value set: [PrivateUser, SharedDevice]" in message


def test_nested_members_are_named_by_path_and_sensitive_values_hidden() -> None:
    message = problems(
        "BatchUpdateUser",
        {"AccountId": "a", "UpdateUserRequestItems": [{"UserId": "u", "LicenseType": "Gold"}]},
    )
    assert "at 'UpdateUserRequestItems.1.member.LicenseType'" in message
    message = problems("InviteUsers", {"AccountId": "a", "UserEmailList": ["not-an-email"]})
    assert "not-an-email" not in message and "Sensitive Data Redacted" in message


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"Name": 5}, "Member must be of type string"),
        ({"AccountId": "a", "MaxResults": 0}, None),
    ],
)
def test_json_types_are_checked(params: dict[str, Any], expected: str | None) -> None:
    if expected:
        assert expected in problems("CreateAccount", params)
    else:
        assert "greater than or equal to 1" in problems("ListUsers", params)


def test_booleans_are_not_integers_and_integers_are_not_booleans() -> None:
    assert "of type integer" in problems("ListUsers", {"AccountId": "a", "MaxResults": True})
    message = problems(
        "UpdateUserSettings",
        {
            "AccountId": "a",
            "UserId": "u",
            "UserSettings": {
                "Telephony": {"InboundCalling": 1, "OutboundCalling": True, "SMS": False}
            },
        },
    )
    assert "at 'UserSettings.Telephony.InboundCalling'" in message


def test_valid_input_passes() -> None:
    Validator().validate(API.operations["CreateAccount"].input_shape, {"Name": "Team"})


def test_a_null_optional_member_is_absent_and_removed() -> None:
    params: dict[str, Any] = {"AccountId": "a", "Name": None}
    Validator().validate(API.operations["UpdateAccount"].input_shape, params)
    assert params == {"AccountId": "a"}


def test_a_null_nested_member_is_removed_and_a_null_required_one_reported() -> None:
    params: dict[str, Any] = {"BusinessCalling": {"CdrBucket": None}, "VoiceConnector": None}
    Validator().validate(API.operations["UpdateGlobalSettings"].input_shape, params)
    assert params == {"BusinessCalling": {}}
    message = problems("PutRetentionSettings", {"AccountId": "a", "RetentionSettings": None})
    assert message == (
        "1 validation error detected: Value null at 'RetentionSettings' failed to satisfy "
        "constraint: Member must not be null"
    )


def test_null_list_items_are_rejected_with_their_position() -> None:
    message = problems("BatchSuspendUser", {"AccountId": "a", "UserIdList": ["u", None]})
    assert message == (
        "1 validation error detected: Value null at 'UserIdList.2.member' failed to satisfy "
        "constraint: Member must not be null"
    )


def test_null_map_values_are_rejected() -> None:
    # The Chime model has no maps; a two-shape model of its own checks the generic rule.
    resolver = ShapeResolver(
        {
            "Input": {"type": "structure", "members": {"Tags": {"shape": "Tags"}}},
            "Tags": {"type": "map", "key": {"shape": "Text"}, "value": {"shape": "Text"}},
            "Text": {"type": "string"},
        }
    )
    shape = resolver.get_shape_by_name("Input")
    with pytest.raises(BadRequestException) as caught:
        Validator().validate(shape, {"Tags": {"a": "1", "b": None}})
    assert "Value null at 'Tags.b' failed to satisfy constraint" in caught.value.message


def test_long_invalid_values_are_echoed_cut_short_with_their_length() -> None:
    message = problems("CreateAccount", {"Name": "x" * 10_000_000})
    assert "x" * 256 + "... (10000000 characters)' at 'Name'" in message
    assert len(message) < 600
