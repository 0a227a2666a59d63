"""The conformance scenarios, written once as data and run through every client.

A run gets its own tenant and IDs (``ids_for``), a seed that prepares the state (``seed_for``),
and the scenarios in order: pagination first, then every operation's success path (reads before
the writes that would change what they read), real error paths, and, for every operation, each
error class its model lists, produced by a one-shot fault rule bound to a scenario's own access
key. ``{name}`` in parameters is replaced by the run's IDs.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from chime_local.protocol.api import load_api


@dataclass(frozen=True)
class Scenario:
    name: str
    operation: str
    params: dict[str, Any]
    error: str | None = None  # expected error shape; None: success
    status: int | None = None  # expected HTTP status (default: the model's)
    fields: dict[str, str] = field(default_factory=dict)  # path -> type name or "=value"
    paginate: int | None = None  # page size: drive the SDK's paginator instead of one call
    items: int | None = None  # with paginate: the items expected in all pages together
    fault: bool = False  # the error comes from a fault rule bound to access_key
    access_key: str | None = None  # None: the run's tenant key


def ids_for(index: int) -> dict[str, str]:
    """IDs for one client's run; numbers use an area code of its own so runs never collide."""
    area = ("206", "312", "415", "512")[index]
    ids = {name: str(uuid.uuid4()) for name in (
        "team", "doomed", "ent", "user1", "user2", "euser1", "euser2", "euser3", "euser4",
        "room", "room2", "bot", "bot2", "order", "meeting",
    )}  # fmt: skip
    ids |= {f"num{i}": f"+1{area}55501{i:02d}" for i in range(1, 9)}
    ids["num2_digits"] = ids["num2"][1:]
    return ids | {"area": area, "tenant": f"1000000000{index:02d}"}


def seed_for(ids: dict[str, str]) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    arn = f"arn:aws:iam::{ids['tenant']}:user/seed"

    def number(key: str, **extra: Any) -> dict[str, Any]:
        return {"E164PhoneNumber": ids[key], "ProductType": "BusinessCalling", **extra}

    def member(user: str) -> dict[str, Any]:
        return {
            "RoomId": ids["room"],
            "MemberId": ids[user],
            "Role": "Member",
            "InvitedBy": arn,
            "UpdatedTimestamp": now,
        }

    room = {"CreatedBy": arn, "CreatedTimestamp": now, "UpdatedTimestamp": now}
    bot = {
        "UserId": "",
        "BotType": "ChatBot",
        "Disabled": False,
        "CreatedTimestamp": now,
        "UpdatedTimestamp": now,
        "SecurityToken": "t" * 40,
    }
    return {
        "version": 1,
        "tenants": [
            {
                "aws_account_id": ids["tenant"],
                "phone_numbers": [
                    number("num1"), number("num2"), number("num3"),
                    number("num4", Status="DeleteInProgress", DeletionTimestamp=now),
                    number("num5"), number("num6"),
                ],
                "phone_number_orders": [
                    {"PhoneNumberOrderId": ids["order"], "ProductType": "BusinessCalling", "Status": "Successful",
                     "OrderedPhoneNumbers": [{"E164PhoneNumber": ids["num1"], "Status": "Acquired"}],
                     "CreatedTimestamp": now, "UpdatedTimestamp": now},
                ],
            }
        ],
        "accounts": [
            {"id": ids["team"], "name": "Conformance Team", "aws_account_id": ids["tenant"], "users": [
                {"id": ids["user1"], "email": "one@conformance.example"},
                {"id": ids["user2"], "email": "two@conformance.example"},
            ]},
            {"id": ids["doomed"], "name": "Doomed", "aws_account_id": ids["tenant"]},
            {"id": ids["ent"], "name": "Conformance Enterprise", "type": "EnterpriseLWA", "aws_account_id": ids["tenant"],
             "domains": ["conformance.example"],
             "users": [
                {"id": ids["euser1"], "email": "e1@conformance.example"},
                {"id": ids["euser2"], "email": "e2@conformance.example", "state": "suspended"},
                {"id": ids["euser3"], "email": "e3@conformance.example"},
                {"id": ids["euser4"], "email": "e4@conformance.example"},
             ],
             "rooms": [{"RoomId": ids["room"], "Name": "Seeded room", **room}, {"RoomId": ids["room2"], "Name": "Doomed room", **room}],
             "room_memberships": [member("euser1"), member("euser3")],
             "bots": [
                {**bot, "BotId": ids["bot"], "UserId": ids["bot"], "DisplayName": "seedbot (Bot)", "BotEmail": "seedbot-chimebot@conformance.example"},
                {**bot, "BotId": ids["bot2"], "UserId": ids["bot2"], "DisplayName": "quiet (Bot)", "BotEmail": "quiet-chimebot@conformance.example"},
             ],
             "bot_events": [{"BotId": ids["bot"], "OutboundEventsHTTPSEndpoint": "https://bot.conformance.example/events"}]},
        ],
    }  # fmt: skip


ACCOUNT = {"AccountId": "{team}"}
ENT = {"AccountId": "{ent}"}
USER = {"AccountId": "{team}", "UserId": "{user1}"}
TELEPHONY = {"Telephony": {"InboundCalling": True, "OutboundCalling": False, "SMS": True}}
DIAL = {
    "MeetingId": "{meeting}",
    "FromPhoneNumber": "{num2}",
    "ToPhoneNumber": "+12025550199",
    "JoinToken": "am9pbg",
}

PAGINATION = [
    Scenario("ListAccounts:paginator", "ListAccounts", {}, paginate=1, items=3),
    Scenario("ListUsers:paginator", "ListUsers", ACCOUNT, paginate=1, items=2),
]

# (operation, parameters, fields to check), in an order where reads come before the writes
# that would change what they read.
SUCCESS: list[tuple[str, dict[str, Any], dict[str, str]]] = [
    ("GetAccount", ACCOUNT, {"Account.AccountId": "={team}", "Account.CreatedTimestamp": "timestamp", "Account.SupportedLicenses": "list"}),
    ("ListAccounts", {"MaxResults": 1}, {"Accounts": "list", "NextToken": "string"}),
    ("GetAccountSettings", ACCOUNT, {"AccountSettings.EnableDialOut": "boolean"}),
    ("GetUser", USER, {"User.UserId": "={user1}", "User.RegisteredOn": "timestamp", "User.PersonalPIN": "string",
                        "User.AlexaForBusinessMetadata.IsAlexaForBusinessEnabled": "boolean"}),
    ("ListUsers", {**ACCOUNT, "UserEmail": "one@conformance.example"}, {"Users.0.UserId": "={user1}"}),
    ("GetUserSettings", USER, {"UserSettings.Telephony.SMS": "boolean"}),
    ("GetPhoneNumber", {"PhoneNumberId": "{num2}"}, {"PhoneNumber.E164PhoneNumber": "={num2}", "PhoneNumber.CreatedTimestamp": "timestamp",
                                                    "PhoneNumber.Capabilities.InboundCall": "boolean"}),
    ("ListPhoneNumbers", {"Status": "Unassigned", "MaxResults": 2}, {"PhoneNumbers": "list", "NextToken": "string"}),
    ("GetPhoneNumberOrder", {"PhoneNumberOrderId": "{order}"}, {"PhoneNumberOrder.Status": "=Successful", "PhoneNumberOrder.CreatedTimestamp": "timestamp"}),
    ("ListPhoneNumberOrders", {}, {"PhoneNumberOrders.0.PhoneNumberOrderId": "={order}"}),
    ("SearchAvailablePhoneNumbers", {"AreaCode": "{area}", "MaxResults": 2}, {"E164PhoneNumbers": "list", "NextToken": "string"}),
    ("ListSupportedPhoneNumberCountries", {"ProductType": "BusinessCalling"}, {"PhoneNumberCountries.0.CountryCode": "=US"}),
    ("GetPhoneNumberSettings", {}, {}),
    ("GetGlobalSettings", {}, {}),
    ("GetRoom", {**ENT, "RoomId": "{room}"}, {"Room.RoomId": "={room}", "Room.CreatedTimestamp": "timestamp"}),
    ("ListRooms", {**ENT, "MemberId": "{euser1}"}, {"Rooms.0.RoomId": "={room}"}),
    ("ListRoomMemberships", {**ENT, "RoomId": "{room}"}, {"RoomMemberships.0.Member.MemberType": "=User", "RoomMemberships.0.UpdatedTimestamp": "timestamp"}),
    ("GetBot", {**ENT, "BotId": "{bot}"}, {"Bot.Disabled": "boolean", "Bot.CreatedTimestamp": "timestamp"}),
    ("ListBots", ENT, {"Bots": "list"}),
    ("GetEventsConfiguration", {**ENT, "BotId": "{bot}"}, {"EventsConfiguration.BotId": "={bot}"}),
    ("GetRetentionSettings", ENT, {"RetentionSettings": "object"}),
    ("CreateAccount", {"Name": "Conformance new"}, {"Account.AccountType": "=Team"}),
    ("UpdateAccount", {**ACCOUNT, "Name": "Renamed"}, {"Account.Name": "=Renamed"}),
    ("UpdateAccountSettings", {**ACCOUNT, "AccountSettings": {"EnableDialOut": True}}, {}),
    ("DeleteAccount", {"AccountId": "{doomed}"}, {}),
    ("CreateUser", {**ACCOUNT, "Email": "new@conformance.example"}, {"User.UserRegistrationStatus": "=Registered"}),
    ("InviteUsers", {**ACCOUNT, "UserEmailList": ["invited@conformance.example"]}, {"Invites.0.Status": "=Pending"}),
    ("UpdateUser", {**USER, "LicenseType": "Basic"}, {"User.LicenseType": "=Basic"}),
    ("BatchUpdateUser", {**ACCOUNT, "UpdateUserRequestItems": [{"UserId": "{user1}", "LicenseType": "Pro"}, {"UserId": "missing", "LicenseType": "Pro"}]},
     {"UserErrors.0.ErrorCode": "=NotFound", "UserErrors.0.UserId": "=missing"}),
    ("ResetPersonalPIN", USER, {"User.PersonalPIN": "string"}),
    ("LogoutUser", USER, {}),
    ("UpdateUserSettings", {**USER, "UserSettings": TELEPHONY}, {}),
    ("AssociatePhoneNumberWithUser", {**USER, "E164PhoneNumber": "{num1}"}, {}),
    ("DisassociatePhoneNumberFromUser", USER, {}),
    ("BatchSuspendUser", {**ACCOUNT, "UserIdList": ["{user2}"]}, {"UserErrors": "list"}),
    ("BatchUnsuspendUser", {**ENT, "UserIdList": ["{euser2}"]}, {"UserErrors": "list"}),
    ("CreatePhoneNumberOrder", {"ProductType": "BusinessCalling", "E164PhoneNumbers": ["{num7}"]}, {"PhoneNumberOrder.Status": "=Processing"}),
    ("UpdatePhoneNumber", {"PhoneNumberId": "{num2}", "CallingName": "Front Desk"}, {"PhoneNumber.CallingNameStatus": "=UpdateInProgress"}),
    ("BatchUpdatePhoneNumber", {"UpdatePhoneNumberRequestItems": [{"PhoneNumberId": "{num6}", "ProductType": "VoiceConnector"}]}, {"PhoneNumberErrors": "list"}),
    ("DeletePhoneNumber", {"PhoneNumberId": "{num3}"}, {}),
    ("BatchDeletePhoneNumber", {"PhoneNumberIds": ["{num5}"]}, {"PhoneNumberErrors": "list"}),
    ("RestorePhoneNumber", {"PhoneNumberId": "{num4}"}, {"PhoneNumber.Status": "=Unassigned"}),
    ("UpdatePhoneNumberSettings", {"CallingName": "Conformance"}, {}),
    ("UpdateGlobalSettings", {"BusinessCalling": {"CdrBucket": "cdr-bucket"}}, {}),
    ("CreateMeetingDialOut", DIAL, {"TransactionId": "string"}),
    ("CreateRoom", {**ENT, "Name": "Created room", "ClientRequestToken": "conformance-token"}, {"Room.Name": "=Created room"}),
    ("UpdateRoom", {**ENT, "RoomId": "{room}", "Name": "Renamed room"}, {"Room.Name": "=Renamed room"}),
    ("CreateRoomMembership", {**ENT, "RoomId": "{room}", "MemberId": "{bot}"}, {"RoomMembership.Member.MemberType": "=Bot"}),
    ("BatchCreateRoomMembership", {**ENT, "RoomId": "{room}", "MembershipItemList": [{"MemberId": "{euser4}"}, {"MemberId": "ghost"}]},
     {"Errors.0.MemberId": "=ghost", "Errors.0.ErrorCode": "=NotFound"}),
    ("UpdateRoomMembership", {**ENT, "RoomId": "{room}", "MemberId": "{euser1}", "Role": "Administrator"}, {"RoomMembership.Role": "=Administrator"}),
    ("DeleteRoomMembership", {**ENT, "RoomId": "{room}", "MemberId": "{euser3}"}, {}),
    ("RedactRoomMessage", {**ENT, "RoomId": "{room}", "MessageId": "message-1"}, {}),
    ("RedactConversationMessage", {**ENT, "ConversationId": "conversation-1", "MessageId": "message-2"}, {}),
    ("DeleteRoom", {**ENT, "RoomId": "{room2}"}, {}),
    ("CreateBot", {**ENT, "DisplayName": "newbot"}, {"Bot.BotEmail": "=newbot-chimebot@conformance.example", "Bot.Disabled": "boolean"}),
    ("UpdateBot", {**ENT, "BotId": "{bot}", "Disabled": True}, {"Bot.Disabled": "=True"}),
    ("RegenerateSecurityToken", {**ENT, "BotId": "{bot}"}, {"Bot.SecurityToken": "string"}),
    ("PutEventsConfiguration", {**ENT, "BotId": "{bot2}", "LambdaFunctionArn": "arn:aws:lambda:us-east-1:100000000000:function:f"},
     {"EventsConfiguration.BotId": "={bot2}"}),
    ("DeleteEventsConfiguration", {**ENT, "BotId": "{bot}"}, {}),
    ("PutRetentionSettings", {**ENT, "RetentionSettings": {"RoomRetentionSettings": {"RetentionDays": 30}}}, {}),
    ("AssociateSigninDelegateGroupsWithAccount", {**ENT, "SigninDelegateGroups": [{"GroupName": "admins"}]}, {}),
    ("DisassociateSigninDelegateGroupsFromAccount", {**ENT, "GroupNames": ["admins"]}, {}),
]  # fmt: skip

EXTRA = [
    Scenario("GetPhoneNumber:encoded-id", "GetPhoneNumber", {"PhoneNumberId": "%2B{num2_digits}"}, fields={"PhoneNumber.E164PhoneNumber": "={num2}"}),
    Scenario("GetPhoneNumber:unknown", "GetPhoneNumber", {"PhoneNumberId": "{num8}"}, error="NotFoundException", status=404),
    Scenario("GetPhoneNumber:plus-id", "GetPhoneNumber", {"PhoneNumberId": "{num2}"}, fields={"PhoneNumber.PhoneNumberId": "string"}),
    Scenario("GetUser:not-found", "GetUser", {**ACCOUNT, "UserId": "00000000-0000-4000-8000-000000000000"}, error="NotFoundException", status=404),
    Scenario("CreateAccount:name-too-long", "CreateAccount", {"Name": "x" * 101}, error="BadRequestException", status=400),
    Scenario("ListUsers:max-results", "ListUsers", {**ACCOUNT, "MaxResults": 500}, error="BadRequestException", status=400),
    Scenario("CreateUser:conflict", "CreateUser", {**ACCOUNT, "Email": "one@conformance.example"}, error="ConflictException", status=409),
    Scenario("DeleteAccount:members", "DeleteAccount", ACCOUNT, error="UnprocessableEntityException", status=422),
    Scenario("CreateRoom:team-account", "CreateRoom", {**ACCOUNT, "Name": "No"}, error="BadRequestException", status=400),
    Scenario("GetEventsConfiguration:none", "GetEventsConfiguration", {**ENT, "BotId": "{bot2}"}, error="NotFoundException", status=404),
]  # fmt: skip


def success_scenarios() -> list[Scenario]:
    return [Scenario(f"{op}:success", op, params, fields=fields) for op, params, fields in SUCCESS]


def fault_scenarios(index: int) -> list[Scenario]:
    """For every operation, each error class its model lists, from a one-shot fault rule."""
    api = load_api()
    params = {op: p for op, p, _ in SUCCESS}
    scenarios = []
    for op in sorted(api.operations):
        for error_shape in api.model.operation_model(op).error_shapes:
            key = f"AKIAFAULT{index}{len(scenarios):010d}"
            status = error_shape.metadata["error"]["httpStatusCode"]
            scenarios.append(
                Scenario(f"{op}:{error_shape.name}", op, params[op], error=error_shape.name,
                         status=status, fault=True, access_key=key)
            )  # fmt: skip
    return scenarios


def all_scenarios(index: int) -> list[Scenario]:
    return [*PAGINATION, *EXTRA, *success_scenarios(), *fault_scenarios(index)]


def resolve(value: Any, ids: dict[str, str]) -> Any:
    """Replace ``{name}`` placeholders in strings, at any depth."""
    if isinstance(value, str):
        return value.format_map(ids) if "{" in value else value
    if isinstance(value, dict):
        return {k: resolve(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, ids) for v in value]
    return value
