"""Phone numbers: search, orders, inventory, assignment to users, deletion queue, settings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from chime_local.testing import ServerProcess
from tests.api.admin_calls import admin
from tests.support import sdk_client


@pytest.fixture
def own_server() -> Iterator[ServerProcess]:
    """A server of the test's own, for tests that move the clock or fill the quota."""
    with ServerProcess(db=None, extra_args=("--quiet", "--phone-number-quota", "5")) as server:
        yield server


def order(client: Any, numbers: list[str], product: str = "BusinessCalling") -> dict[str, Any]:
    result: dict[str, Any] = client.create_phone_number_order(
        ProductType=product, E164PhoneNumbers=numbers
    )["PhoneNumberOrder"]
    return result


def test_search_by_area_code_is_deterministic_and_pages(client: Any) -> None:
    first = client.search_available_phone_numbers(AreaCode="206", MaxResults=3)
    assert first["E164PhoneNumbers"] == ["+12065550100", "+12065550101", "+12065550102"]
    second = client.search_available_phone_numbers(
        AreaCode="206", MaxResults=3, NextToken=first["NextToken"]
    )
    assert second["E164PhoneNumbers"] == ["+12065550103", "+12065550104", "+12065550105"]
    everything = client.search_available_phone_numbers(AreaCode="312", MaxResults=500)
    assert len(everything["E164PhoneNumbers"]) == 100 and "NextToken" not in everything


def test_search_by_state_city_toll_free_and_country(client: Any) -> None:
    by_state = client.search_available_phone_numbers(State="WA", City="Seattle", MaxResults=1)
    assert by_state["E164PhoneNumbers"][0].startswith("+1206")
    toll_free = client.search_available_phone_numbers(TollFreePrefix="844", MaxResults=1)
    assert toll_free["E164PhoneNumbers"][0].startswith("+1844")
    london = client.search_available_phone_numbers(
        Country="GB", PhoneNumberType="Local", MaxResults=1
    )
    assert london["E164PhoneNumbers"][0].startswith("+44")


@pytest.mark.parametrize(
    ("params", "phrase"),
    [
        ({}, "AreaCode, City, State or TollFreePrefix"),
        ({"City": "Seattle"}, "City requires State"),
        ({"TollFreePrefix": "899"}, "regular expression"),
        ({"Country": "GB"}, "PhoneNumberType is required"),
        ({"Country": "GB", "AreaCode": "20", "PhoneNumberType": "Local"}, "only PhoneNumberType"),
        ({"AreaCode": "206", "MaxResults": 501}, "less than or equal to 500"),
    ],
)
def test_search_argument_rules(client: Any, params: dict[str, Any], phrase: str) -> None:
    with pytest.raises(client.exceptions.BadRequestException, match=phrase):
        client.search_available_phone_numbers(**params)


def test_supported_countries(client: Any) -> None:
    business = client.list_supported_phone_number_countries(ProductType="BusinessCalling")[
        "PhoneNumberCountries"
    ]
    assert business == [{"CountryCode": "US", "SupportedPhoneNumberTypes": ["Local", "TollFree"]}]
    sip = client.list_supported_phone_number_countries(ProductType="SipMediaApplicationDialIn")[
        "PhoneNumberCountries"
    ]
    assert {"CountryCode": "GB", "SupportedPhoneNumberTypes": ["Local"]} in sip


def test_an_order_answers_processing_and_reads_successful_next(client: Any) -> None:
    numbers = client.search_available_phone_numbers(AreaCode="415", MaxResults=2)[
        "E164PhoneNumbers"
    ]
    response = client.create_phone_number_order(
        ProductType="BusinessCalling", E164PhoneNumbers=numbers
    )
    placed = response["PhoneNumberOrder"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert placed["Status"] == "Processing"
    assert placed["OrderedPhoneNumbers"] == [
        {"E164PhoneNumber": n, "Status": "Processing"} for n in numbers
    ]
    read = client.get_phone_number_order(PhoneNumberOrderId=placed["PhoneNumberOrderId"])[
        "PhoneNumberOrder"
    ]
    assert read["Status"] == "Successful"
    assert read["OrderedPhoneNumbers"] == [
        {"E164PhoneNumber": n, "Status": "Acquired"} for n in numbers
    ]
    assert [
        o["PhoneNumberOrderId"] for o in client.list_phone_number_orders()["PhoneNumberOrders"]
    ] == [placed["PhoneNumberOrderId"]]
    number = client.get_phone_number(PhoneNumberId=numbers[0])["PhoneNumber"]
    assert number["PhoneNumberId"] == "%2B" + numbers[0][1:]
    assert (number["Status"], number["Type"], number["Country"], number["ProductType"]) == (
        "Unassigned",
        "Local",
        "US",
        "BusinessCalling",
    )
    assert number["Associations"] == [] and all(number["Capabilities"].values())
    assert isinstance(number["CreatedTimestamp"], datetime)
    assert client.get_phone_number(PhoneNumberId=number["PhoneNumberId"])["PhoneNumber"] == number
    assert client.search_available_phone_numbers(AreaCode="415", MaxResults=1)[
        "E164PhoneNumbers"
    ] == ["+14155550102"]
    listed = client.list_phone_numbers(Status="Unassigned", ProductType="BusinessCalling")[
        "PhoneNumbers"
    ]
    assert [n["E164PhoneNumber"] for n in listed] == numbers


def test_a_number_owned_elsewhere_fails_in_the_order(make_client: Any) -> None:
    first, second = make_client(), make_client()
    order(first, ["+16175550150"])
    placed = order(second, ["+16175550150", "+16175550151"])
    assert placed["Status"] == "Processing"
    placed = second.get_phone_number_order(PhoneNumberOrderId=placed["PhoneNumberOrderId"])[
        "PhoneNumberOrder"
    ]
    assert placed["Status"] == "Partial"
    assert [n["Status"] for n in placed["OrderedPhoneNumbers"]] == ["Failed", "Acquired"]
    with pytest.raises(second.exceptions.NotFoundException):
        second.get_phone_number(PhoneNumberId="+16175550150")


@pytest.mark.parametrize(
    ("numbers", "product", "phrase"),
    [
        (["+18445550100"], "BusinessCalling", "Toll-free"),
        (["+442079460100"], "BusinessCalling", "outside the US"),
    ],
)
def test_product_type_rules_for_orders(
    client: Any, numbers: list[str], product: str, phrase: str
) -> None:
    with pytest.raises(client.exceptions.BadRequestException, match=phrase):
        order(client, numbers, product)
    assert client.list_phone_numbers()["PhoneNumbers"] == []


def test_the_inventory_quota(own_server: ServerProcess) -> None:
    client = sdk_client(own_server.endpoint_url)
    numbers = client.search_available_phone_numbers(AreaCode="303", MaxResults=6)[
        "E164PhoneNumbers"
    ]
    with pytest.raises(client.exceptions.ResourceLimitExceededException):
        order(client, numbers)
    order(client, numbers[:5])
    client.delete_phone_number(PhoneNumberId=numbers[0])
    order(client, numbers[5:])
    with pytest.raises(client.exceptions.ResourceLimitExceededException):
        client.restore_phone_number(PhoneNumberId=numbers[0])


def test_number_life_cycle_with_a_user(own_server: ServerProcess) -> None:
    client = sdk_client(own_server.endpoint_url)
    account = client.create_account(Name="Phones")["Account"]
    ids = {"AccountId": account["AccountId"]}
    user = client.create_user(**ids, Email="caller@example.com")["User"]
    number = client.search_available_phone_numbers(AreaCode="512", MaxResults=1)[
        "E164PhoneNumbers"
    ][0]
    order(client, [number])
    assert (
        client.associate_phone_number_with_user(
            **ids, UserId=user["UserId"], E164PhoneNumber=number
        )["ResponseMetadata"]["HTTPStatusCode"]
        == 200
    )
    assert (
        client.get_user(**ids, UserId=user["UserId"])["User"]["PrimaryProvisionedNumber"] == number
    )
    assigned = client.get_phone_number(PhoneNumberId=number)["PhoneNumber"]
    assert assigned["Status"] == "Assigned"
    assert {(a["Name"], a["Value"]) for a in assigned["Associations"]} == {
        ("UserId", user["UserId"]),
        ("AccountId", account["AccountId"]),
    }
    assert [
        n["E164PhoneNumber"]
        for n in client.list_phone_numbers(FilterName="UserId", FilterValue=user["UserId"])[
            "PhoneNumbers"
        ]
    ] == [number]
    with pytest.raises(client.exceptions.BadRequestException, match="disassociate"):
        client.delete_phone_number(PhoneNumberId=number)
    errors = client.batch_delete_phone_number(PhoneNumberIds=[number, "+19995550100"])[
        "PhoneNumberErrors"
    ]
    assert [(e["PhoneNumberId"], e["ErrorCode"]) for e in errors] == [
        (number, "PhoneNumberAssociationsExist"),
        ("+19995550100", "NotFound"),
    ]
    client.disassociate_phone_number_from_user(**ids, UserId=user["UserId"])
    assert "PrimaryProvisionedNumber" not in client.get_user(**ids, UserId=user["UserId"])["User"]
    assert client.get_phone_number(PhoneNumberId=number)["PhoneNumber"]["Status"] == "Unassigned"
    assert (
        client.delete_phone_number(PhoneNumberId=number)["ResponseMetadata"]["HTTPStatusCode"]
        == 204
    )
    deleted = client.get_phone_number(PhoneNumberId=number)["PhoneNumber"]
    assert deleted["Status"] == "DeleteInProgress" and isinstance(
        deleted["DeletionTimestamp"], datetime
    )
    restored = client.restore_phone_number(PhoneNumberId=number)["PhoneNumber"]
    assert restored["Status"] == "Unassigned" and "DeletionTimestamp" not in restored
    client.delete_phone_number(PhoneNumberId=number)
    admin(own_server, "PUT", "clock", {"Advance": 7 * 86400 - 60})
    assert (
        client.get_phone_number(PhoneNumberId=number)["PhoneNumber"]["Status"] == "DeleteInProgress"
    )
    admin(own_server, "PUT", "clock", {"Advance": 120})
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_phone_number(PhoneNumberId=number)
    assert client.list_phone_numbers()["PhoneNumbers"] == []


def test_assignment_rules(make_client: Any) -> None:
    client, stranger = make_client(), make_client()
    account = client.create_account(Name="Rules")["Account"]
    ids = {"AccountId": account["AccountId"]}
    first = client.create_user(**ids, Email="one@example.com")["User"]
    second = client.create_user(**ids, Email="two@example.com")["User"]
    order(client, ["+12155550150"])
    order(client, ["+12155550151"], "VoiceConnector")
    with pytest.raises(client.exceptions.NotFoundException):
        client.associate_phone_number_with_user(
            **ids, UserId=first["UserId"], E164PhoneNumber="+12155550199"
        )
    with pytest.raises(client.exceptions.BadRequestException, match="BusinessCalling"):
        client.associate_phone_number_with_user(
            **ids, UserId=first["UserId"], E164PhoneNumber="+12155550151"
        )
    client.associate_phone_number_with_user(
        **ids, UserId=first["UserId"], E164PhoneNumber="+12155550150"
    )
    with pytest.raises(client.exceptions.BadRequestException, match="another user"):
        client.associate_phone_number_with_user(
            **ids, UserId=second["UserId"], E164PhoneNumber="+12155550150"
        )
    with pytest.raises(stranger.exceptions.NotFoundException):
        stranger.get_phone_number(PhoneNumberId="+12155550150")
    client.batch_suspend_user(**ids, UserIdList=[first["UserId"]])
    assert (
        client.get_phone_number(PhoneNumberId="+12155550150")["PhoneNumber"]["Status"]
        == "Unassigned"
    )


def test_updates_and_the_calling_name_transition(own_server: ServerProcess) -> None:
    client = sdk_client(own_server.endpoint_url)
    order(client, ["+14045550150", "+14045550151"])
    updated = client.update_phone_number(
        PhoneNumberId="+14045550150", ProductType="VoiceConnector"
    )["PhoneNumber"]
    assert updated["ProductType"] == "VoiceConnector"
    with pytest.raises(client.exceptions.BadRequestException, match="either"):
        client.update_phone_number(
            PhoneNumberId="+14045550150", ProductType="BusinessCalling", CallingName="Both"
        )
    named = client.update_phone_number(PhoneNumberId="+14045550151", CallingName="Front Desk")[
        "PhoneNumber"
    ]
    assert (named["CallingName"], named["CallingNameStatus"]) == ("Front Desk", "UpdateInProgress")
    with pytest.raises(client.exceptions.ConflictException):
        client.update_phone_number(PhoneNumberId="+14045550151", CallingName="Other")
    admin(own_server, "PUT", "clock", {"Advance": 61})
    assert (
        client.get_phone_number(PhoneNumberId="+14045550151")["PhoneNumber"]["CallingNameStatus"]
        == "UpdateSucceeded"
    )
    errors = client.batch_update_phone_number(
        UpdatePhoneNumberRequestItems=[
            {"PhoneNumberId": "+14045550150", "ProductType": "BusinessCalling"},
            {"PhoneNumberId": "+14045550199", "ProductType": "BusinessCalling"},
            {
                "PhoneNumberId": "+14045550151",
                "CallingName": "Night Line",
                "ProductType": "VoiceConnector",
            },
        ]
    )["PhoneNumberErrors"]
    assert [e["ErrorCode"] for e in errors] == ["NotFound", "BadRequest"]
    assert (
        client.get_phone_number(PhoneNumberId="+14045550150")["PhoneNumber"]["ProductType"]
        == "BusinessCalling"
    )


def test_phone_number_settings_once_per_seven_days(own_server: ServerProcess) -> None:
    client = sdk_client(own_server.endpoint_url)
    empty = client.get_phone_number_settings()
    assert "CallingName" not in empty
    assert (
        client.update_phone_number_settings(CallingName="Acme Corp")["ResponseMetadata"][
            "HTTPStatusCode"
        ]
        == 204
    )
    settings = client.get_phone_number_settings()
    assert settings["CallingName"] == "Acme Corp" and isinstance(
        settings["CallingNameUpdatedTimestamp"], datetime
    )
    with pytest.raises(client.exceptions.BadRequestException, match="7 days"):
        client.update_phone_number_settings(CallingName="Other Name")
    admin(own_server, "PUT", "clock", {"Advance": 7 * 86400})
    client.update_phone_number_settings(CallingName="Other Name")
    assert client.get_phone_number_settings()["CallingName"] == "Other Name"


def test_global_settings(client: Any) -> None:
    assert "BusinessCalling" not in client.get_global_settings()
    response = client.update_global_settings(BusinessCalling={"CdrBucket": "cdr-bucket"})
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    client.update_global_settings(VoiceConnector={"CdrBucket": "vc-bucket"})
    settings = client.get_global_settings()
    assert (settings["BusinessCalling"], settings["VoiceConnector"]) == (
        {"CdrBucket": "cdr-bucket"},
        {"CdrBucket": "vc-bucket"},
    )


def test_meeting_dial_out_needs_an_inventory_number(client: Any) -> None:
    meeting = "0d8d3c2e-8f1a-4c2b-9a7e-1f2e3d4c5b6a"
    with pytest.raises(client.exceptions.BadRequestException, match="inventory"):
        client.create_meeting_dial_out(
            MeetingId=meeting,
            FromPhoneNumber="+12025550150",
            ToPhoneNumber="+12025550199",
            JoinToken="am9pbg",
        )
    order(client, ["+12025550150"])
    response = client.create_meeting_dial_out(
        MeetingId=meeting,
        FromPhoneNumber="+12025550150",
        ToPhoneNumber="+12025550199",
        JoinToken="am9pbg",
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert re.fullmatch(r"[0-9a-f-]{36}", response["TransactionId"])
    with pytest.raises(client.exceptions.BadRequestException, match="MeetingId"):
        client.create_meeting_dial_out(
            MeetingId="not-a-guid",
            FromPhoneNumber="+12025550150",
            ToPhoneNumber="+12025550199",
            JoinToken="am9pbg",
        )


def test_an_order_completes_after_the_provisioning_delay_on_the_server_clock() -> None:
    args = ("--quiet", "--phone-number-order-delay", "3600", "--phone-number-quota", "2")
    with ServerProcess(db=None, extra_args=args) as server:
        client = sdk_client(server.endpoint_url)
        assert admin(server, "PUT", "clock", {"Now": "2024-03-01T12:00:00Z"})[0] == 200
        numbers = ["+12065550150", "+12065550151"]
        order_id = order(client, numbers)["PhoneNumberOrderId"]
        admin(server, "PUT", "clock", {"Advance": 3599})

        def read() -> dict[str, Any]:
            found: dict[str, Any] = client.get_phone_number_order(PhoneNumberOrderId=order_id)[
                "PhoneNumberOrder"
            ]
            return found

        processing = read()
        assert processing["Status"] == "Processing"
        assert {n["Status"] for n in processing["OrderedPhoneNumbers"]} == {"Processing"}
        number = client.get_phone_number(PhoneNumberId=numbers[0])["PhoneNumber"]
        assert number["Status"] == "AcquireInProgress"
        with pytest.raises(client.exceptions.ResourceLimitExceededException):
            order(client, ["+12065550152"])  # the processing numbers count against the quota
        account_id = client.create_account(Name="Team")["Account"]["AccountId"]
        user = client.create_user(AccountId=account_id, Email="pat@example.com")["User"]
        with pytest.raises(client.exceptions.BadRequestException, match="still being acquired"):
            client.associate_phone_number_with_user(
                AccountId=account_id, UserId=user["UserId"], E164PhoneNumber=numbers[0]
            )
        admin(server, "PUT", "clock", {"Advance": 1})
        done = read()
        assert done["Status"] == "Successful"
        assert done["OrderedPhoneNumbers"] == [
            {"E164PhoneNumber": n, "Status": "Acquired"} for n in numbers
        ]
        assert done["UpdatedTimestamp"] == datetime(2024, 3, 1, 13, tzinfo=UTC)
        listed = client.list_phone_numbers(Status="Unassigned")["PhoneNumbers"]
        assert [n["E164PhoneNumber"] for n in listed] == numbers
        assert client.list_phone_number_orders()["PhoneNumberOrders"] == [done]
