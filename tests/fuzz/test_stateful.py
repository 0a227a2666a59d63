"""A rule-based state machine: accounts, users and phone numbers on a real server, over a
socket with boto3, compared step by step with a small reference model of what each call does.

The model holds only what the decisions make observable: account names, each account's users
(email, license, registration, number), and the tenant's phone numbers (status, holder). After
every step the invariants list the server's state and compare it with the model whole.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from chime_local.testing import ServerProcess
from tests.fuzz.profiles import PROFILE
from tests.support import fresh_tenant, sdk_client

NAMES = st.text(st.sampled_from("abcdefgh XYZ"), min_size=1, max_size=12).filter(str.strip)
EMAILS = st.sampled_from(["ann", "bob", "Ann", "cy", "dee"]).map(lambda name: f"{name}@example.com")
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
ASSIGNED, UNASSIGNED, DELETING = "Assigned", "Unassigned", "DeleteInProgress"


@dataclass
class User:
    email: str
    license: str = "Pro"
    registered: bool = True
    number: str | None = None


@dataclass
class Account:
    name: str
    users: dict[str, User] = field(default_factory=dict)


def error_code(call: Any, **params: Any) -> str:
    """The modeled error class a call fails with (the call must fail)."""
    with pytest.raises(ClientError) as raised:
        call(**params)
    response = raised.value.response
    assert 400 <= response["ResponseMetadata"]["HTTPStatusCode"] < 500, response
    return str(response["Error"]["Code"])


def every_item(call: Any, key: str, **params: Any) -> list[Any]:
    """Every item of a listing, following NextToken through small pages."""
    items: list[Any] = []
    while True:
        page = call(MaxResults=3, **params)
        items += page[key]
        if "NextToken" not in page:
            return items
        params["NextToken"] = page["NextToken"]


class ChimeTenant(RuleBasedStateMachine):
    endpoint_url = ""

    def __init__(self) -> None:
        super().__init__()
        self.client = sdk_client(self.endpoint_url, fresh_tenant())
        self.area_code = str(700 + secrets.randbelow(100))  # a range no other test searches
        self.accounts: dict[str, Account] = {}
        self.numbers: dict[str, tuple[str, tuple[str, str] | None]] = {}  # e164: status, holder
        self.ordered = 0

    # -- drawing from the model, in creation order: ids are the server's random UUIDs, so a
    # -- replayed example must pick "the second account", not whatever sorts second ---------
    def pick_account(self, data: st.DataObject) -> str:
        return data.draw(st.sampled_from(list(self.accounts)), label="account")

    def pick_user(self, data: st.DataObject) -> tuple[str, str]:
        owners = [(a, u) for a, account in self.accounts.items() for u in account.users]
        return data.draw(st.sampled_from(owners), label="user")

    def pick_number(self, data: st.DataObject) -> str:
        return data.draw(st.sampled_from(list(self.numbers)), label="number")

    def has_users(self) -> bool:
        return any(account.users for account in self.accounts.values())

    # -- accounts ----------------------------------------------------------------------------
    @rule(name=NAMES)
    def create_account(self, name: str) -> None:
        account = self.client.create_account(Name=name)["Account"]
        assert (account["Name"], account["AccountType"]) == (name, "Team")
        self.accounts[account["AccountId"]] = Account(name)

    @precondition(lambda self: self.accounts)
    @rule(data=st.data(), name=NAMES)
    def update_account(self, data: st.DataObject, name: str) -> None:
        account_id = self.pick_account(data)
        answer = self.client.update_account(AccountId=account_id, Name=name)["Account"]
        assert answer["Name"] == name
        self.accounts[account_id].name = name

    @precondition(lambda self: self.accounts)
    @rule(data=st.data())
    def delete_account(self, data: st.DataObject) -> None:
        account_id = self.pick_account(data)
        if self.accounts[account_id].users:
            code = error_code(self.client.delete_account, AccountId=account_id)
            assert code == "UnprocessableEntityException"
            return
        self.client.delete_account(AccountId=account_id)
        del self.accounts[account_id]

    @rule()
    def unknown_account_is_not_found(self) -> None:
        assert error_code(self.client.get_account, AccountId=UNKNOWN_ID) == "NotFoundException"

    # -- users -------------------------------------------------------------------------------
    def _email_taken(self, account_id: str, email: str) -> str | None:
        for user_id, user in self.accounts[account_id].users.items():
            if user.email.lower() == email.lower():
                return user_id
        return None

    @precondition(lambda self: self.accounts)
    @rule(data=st.data(), email=EMAILS)
    def create_user(self, data: st.DataObject, email: str) -> None:
        account_id = self.pick_account(data)
        if self._email_taken(account_id, email):
            code = error_code(self.client.create_user, AccountId=account_id, Email=email)
            assert code == "ConflictException"
            return
        user = self.client.create_user(AccountId=account_id, Email=email)["User"]
        assert user["PrimaryEmail"] == email and user["UserRegistrationStatus"] == "Registered"
        self.accounts[account_id].users[user["UserId"]] = User(email)

    @precondition(lambda self: self.accounts)
    @rule(data=st.data(), emails=st.lists(EMAILS, min_size=1, max_size=3, unique_by=str.lower))
    def invite_users(self, data: st.DataObject, emails: list[str]) -> None:
        account_id = self.pick_account(data)
        account = self.accounts[account_id]
        invites = self.client.invite_users(AccountId=account_id, UserEmailList=emails)["Invites"]
        expected = {}
        for email in emails:
            holder = self._email_taken(account_id, email)
            registered = holder is not None and account.users[holder].registered
            expected[email] = "Failed" if registered else "Pending"
        assert {i["EmailAddress"]: i["Status"] for i in invites} == expected
        listed = self.client.list_users(AccountId=account_id)["Users"]
        for email, status in expected.items():
            if status == "Pending" and self._email_taken(account_id, email) is None:
                (user_id,) = [u["UserId"] for u in listed if u["PrimaryEmail"] == email]
                account.users[user_id] = User(email, registered=False)

    @precondition(has_users)
    @rule(data=st.data(), license=st.sampled_from(["Basic", "Pro"]))
    def update_user(self, data: st.DataObject, license: str) -> None:
        account_id, user_id = self.pick_user(data)
        answer = self.client.update_user(AccountId=account_id, UserId=user_id, LicenseType=license)
        assert answer["User"]["LicenseType"] == license
        self.accounts[account_id].users[user_id].license = license

    @precondition(has_users)
    @rule(data=st.data())
    def get_user(self, data: st.DataObject) -> None:
        account_id, user_id = self.pick_user(data)
        user = self.client.get_user(AccountId=account_id, UserId=user_id)["User"]
        expected = self.accounts[account_id].users[user_id]
        assert (user["PrimaryEmail"], user["LicenseType"]) == (expected.email, expected.license)
        assert user.get("PrimaryProvisionedNumber") == expected.number

    @precondition(has_users)
    @rule(data=st.data())
    def suspend_user(self, data: st.DataObject) -> None:
        """On a Team account, suspending removes the user (decision 17)."""
        account_id, user_id = self.pick_user(data)
        answer = self.client.batch_suspend_user(AccountId=account_id, UserIdList=[user_id])
        assert answer["UserErrors"] == []
        user = self.accounts[account_id].users.pop(user_id)
        if user.number is not None:  # whether a number survives its user is not modeled:
            self.numbers.pop(user.number)  # compare it no more

    # -- phone numbers -----------------------------------------------------------------------
    @precondition(lambda self: self.ordered < 12)  # well within the tenant's quota of 25
    @rule(count=st.integers(1, 2))
    def order_numbers(self, count: int) -> None:
        found = self.client.search_available_phone_numbers(
            AreaCode=self.area_code, MaxResults=count
        )
        numbers = found["E164PhoneNumbers"]
        assert len(numbers) == count and not set(numbers) & set(self.numbers)
        order = self.client.create_phone_number_order(
            ProductType="BusinessCalling", E164PhoneNumbers=numbers
        )["PhoneNumberOrder"]
        assert sorted(n["E164PhoneNumber"] for n in order["OrderedPhoneNumbers"]) == sorted(numbers)
        for number in numbers:
            self.numbers[number] = (UNASSIGNED, None)
        self.ordered += count

    @precondition(lambda self: self.numbers)
    @rule(data=st.data())
    def delete_number(self, data: st.DataObject) -> None:
        number = self.pick_number(data)
        if self.numbers[number][0] in (ASSIGNED, DELETING):
            code = error_code(self.client.delete_phone_number, PhoneNumberId=number)
            assert code == "BadRequestException"
            return
        self.client.delete_phone_number(PhoneNumberId=number)
        self.numbers[number] = (DELETING, None)

    @precondition(lambda self: self.numbers)
    @rule(data=st.data())
    def restore_number(self, data: st.DataObject) -> None:
        number = self.pick_number(data)
        if self.numbers[number][0] != DELETING:
            code = error_code(self.client.restore_phone_number, PhoneNumberId=number)
            assert code == "BadRequestException"
            return
        restored = self.client.restore_phone_number(PhoneNumberId=number)["PhoneNumber"]
        assert restored["Status"] == UNASSIGNED
        self.numbers[number] = (UNASSIGNED, None)

    @precondition(lambda self: self.numbers and self.has_users())
    @rule(data=st.data())
    def associate_number(self, data: st.DataObject) -> None:
        account_id, user_id = self.pick_user(data)
        number = self.pick_number(data)
        status, holder = self.numbers[number]
        call = self.client.associate_phone_number_with_user
        params = {"AccountId": account_id, "UserId": user_id, "E164PhoneNumber": number}
        if status == DELETING:
            assert error_code(call, **params) == "NotFoundException"
            return
        if holder not in (None, (account_id, user_id)):
            assert error_code(call, **params) == "BadRequestException"
            return
        call(**params)
        user = self.accounts[account_id].users[user_id]
        if user.number not in (None, number):
            self.numbers[user.number] = (UNASSIGNED, None)
        user.number = number
        self.numbers[number] = (ASSIGNED, (account_id, user_id))

    @precondition(has_users)
    @rule(data=st.data())
    def disassociate_number(self, data: st.DataObject) -> None:
        account_id, user_id = self.pick_user(data)
        self.client.disassociate_phone_number_from_user(AccountId=account_id, UserId=user_id)
        user = self.accounts[account_id].users[user_id]
        if user.number is not None:
            self.numbers[user.number] = (UNASSIGNED, None)
            user.number = None

    # -- the whole state, compared -----------------------------------------------------------
    @invariant()
    def accounts_match(self) -> None:
        listed = every_item(self.client.list_accounts, "Accounts")
        assert {a["AccountId"]: a["Name"] for a in listed} == {
            account_id: account.name for account_id, account in self.accounts.items()
        }

    @invariant()
    def users_match(self) -> None:
        for account_id, account in self.accounts.items():
            listed = every_item(self.client.list_users, "Users", AccountId=account_id)
            assert {
                u["UserId"]: (
                    u["PrimaryEmail"],
                    u["LicenseType"],
                    u.get("PrimaryProvisionedNumber"),
                )
                for u in listed
            } == {i: (u.email, u.license, u.number) for i, u in account.users.items()}

    @invariant()
    def numbers_match(self) -> None:
        listed = every_item(self.client.list_phone_numbers, "PhoneNumbers")
        statuses = {
            n["E164PhoneNumber"]: n["Status"]
            for n in listed
            if n["E164PhoneNumber"] in self.numbers
        }
        assert statuses == {number: status for number, (status, _) in self.numbers.items()}
        for number in listed:
            if number["E164PhoneNumber"] in self.numbers and number["Status"] == ASSIGNED:
                _, (account_id, user_id) = self.numbers[number["E164PhoneNumber"]]
                associations = {a["Name"]: a["Value"] for a in number["Associations"]}
                assert associations == {"AccountId": account_id, "UserId": user_id}


def test_accounts_users_and_numbers_behave_like_the_model(server: ServerProcess) -> None:
    class OnTheServer(ChimeTenant):
        endpoint_url = server.endpoint_url

    examples, steps = {"ci": (12, 25), "long": (100, 50)}[PROFILE]
    test_case = OnTheServer.TestCase
    test_case.settings = settings(max_examples=examples, stateful_step_count=steps)
    test_case().runTest()
