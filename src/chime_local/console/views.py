"""What each console page shows, read from the store (one read transaction per page).

Pages show records as the Chime API returns them; phone numbers are settled on the server
clock first (an ordered number becomes available, a deleted one is purged), as any API read does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chime_local.admin.state import EmulatorState
from chime_local.clock import parse_wire_time, wire_time
from chime_local.service import account_extras, bots, phone_catalog, phone_numbers, rooms
from chime_local.service import tenant_settings as settings
from chime_local.store.base import Doc

USERS_PAGE = 50
USERS_SCAN = 20  # pages of the store scanned at most for one page of a status/license filter
USER_FILTERS = ("email", "status", "license", "type")


def tenants(state: EmulatorState) -> dict[str, list[Doc]]:
    """Each tenant's live Chime accounts, tenants in order."""
    found: dict[str, list[Doc]] = {}
    with state.store.transaction(write=False):
        for doc, _, deleted in state.store.all_accounts():
            if deleted is None:
                found.setdefault(doc["AwsAccountId"], []).append(doc)
    return dict(sorted(found.items()))


@dataclass
class UsersPage:
    users: list[Doc] = field(default_factory=list)
    after: int | None = None  # the keyset position of the next page


def users_page(state: EmulatorState, account_id: str, query: dict[str, str]) -> UsersPage:
    """One page of an account's users, filtered; keyset-paginated on the store's order.

    The email search is the store's indexed lookup; status, license and type are checked here on
    at most :data:`USERS_SCAN` store pages, so a filter that matches few of a million users still
    answers at once (with a link to look further).
    """
    after = int(query["after"]) if query.get("after", "").isdigit() else 0
    wanted = {
        "UserRegistrationStatus": query.get("status"),
        "LicenseType": query.get("license"),
        "UserType": query.get("type"),
    }
    wanted = {key: value for key, value in wanted.items() if value}
    page = UsersPage()
    store = state.store
    for _ in range(USERS_SCAN):
        found = store.list_users(
            account_id,
            after=after,
            limit=USERS_PAGE,
            email=query.get("email") or None,
        )
        page.users += [u for u in found.items if all(u.get(k) == v for k, v in wanted.items())]
        if found.last_seq is None:
            return page
        after = found.last_seq
        if len(page.users) >= USERS_PAGE:
            break
    page.after = after
    return page


def account(state: EmulatorState, account_id: str, query: dict[str, str]) -> dict[str, Any]:
    store = state.store
    with store.transaction(write=False):
        doc = store.find_account(account_id)
        if doc is None:
            return {}
        rooms_found = [room for _, room in store.scope_records(rooms.ROOM_KIND, account_id)]
        memberships = {
            room["RoomId"]: [
                {**m, "Name": _member_name(state, account_id, m["MemberId"])}
                for _, m in store.scope_records(rooms.MEMBERSHIP_KIND, room["RoomId"])
            ]
            for room in rooms_found
        }
        return {
            "account": doc,
            "settings": store.get_account_settings(account_id),
            "users": users_page(state, account_id, query),
            "rooms": rooms_found,
            "memberships": memberships,
            "bots": [bot for _, bot in store.scope_records(bots.BOT_KIND, account_id)],
            "retention": store.get_record(account_extras.RETENTION_KIND, account_id),
        }


def _member_name(state: EmulatorState, account_id: str, member_id: str) -> str:
    """A room member's email (a user) or display name (a bot)."""
    member = state.store.get_user(account_id, member_id)
    if member is not None:
        return str(member["PrimaryEmail"])
    bot = state.store.get_record(bots.BOT_KIND, member_id, scope=account_id)
    return str(bot["DisplayName"]) if bot else member_id


def user(state: EmulatorState, account_id: str, user_id: str) -> dict[str, Any]:
    store = state.store
    get_user = state.api.operations["GetUser"]
    with store.transaction(write=False):
        doc = store.get_user(account_id, user_id)
        if doc is None:
            return {}
        numbers = [
            number
            for _, number in store.kind_records(phone_numbers.KIND)
            if any(a.get("Value") == user_id for a in number.get("PhoneNumberAssociations", []))
        ]
        return {
            "user": state.serializer.document(get_user, {"User": doc})["User"],
            "settings": store.get_user_settings(user_id),
            "numbers": numbers,
        }


def phone_inventory(state: EmulatorState) -> dict[str, Any]:
    """Numbers (settled on the server clock), orders, the deletion queue and tenant settings."""
    ctx = state.context()
    store = state.store
    with store.transaction():  # settling may purge a number or finish an order
        numbers = [
            (tenant, settled)
            for tenant, number in store.kind_records(phone_numbers.KIND)
            if (settled := phone_numbers.settle(ctx, number)) is not None
        ]
        queue = [
            (tenant, n, _purge_time(n))
            for tenant, n in numbers
            if n["Status"] == "DeleteInProgress"
        ]
        return {
            "numbers": numbers,
            "queue": queue,
            "orders": store.kind_records(phone_catalog.ORDER_KIND),
            "global_settings": store.kind_records(settings.GLOBAL_KIND),
            "phone_settings": store.kind_records(settings.PHONE_KIND),
        }


def _purge_time(number: Doc) -> str:
    deleted = parse_wire_time(number["DeletionTimestamp"])
    return wire_time(deleted + phone_numbers.DELETION_QUEUE)


def request_log(state: EmulatorState, query: dict[str, str], limit: int = 200) -> list[Doc]:
    """The recent calls matching the log page's filters (operation, status, access key)."""
    calls = state.recent_calls(1000)
    operation, status, key = query.get("operation"), query.get("status"), query.get("access_key")
    return [
        call
        for call in calls
        if (not operation or call["Operation"] == operation)
        and (not status or str(call["Status"]) == status)
        and (not key or call["AccessKeyId"] == key)
    ][:limit]
