"""Room memberships: users and bots of the account as members (decisions 22).

Member details (type, email, full name) are read from the user or bot at answer time, so they
follow later changes. A second membership for the same member is ``ConflictException``; a room
holds at most :data:`MEMBER_LIMIT`; bots are always ``Member`` and a disabled bot cannot join.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from chime_local.errors import (
    BadRequestException,
    ConflictException,
    NotFoundException,
    ResourceLimitExceededException,
)
from chime_local.model import shapes
from chime_local.model.enums import MemberType, RoomMembershipRole
from chime_local.service.batches import item_errors
from chime_local.service.bots import BOT_KIND
from chime_local.service.context import Handler, RequestContext
from chime_local.service.pagination import page_rows, page_scope
from chime_local.service.rooms import MEMBERSHIP_KIND, membership_key, require_room
from chime_local.store.base import Doc

MEMBER_LIMIT = 1000
DEFAULT_PAGE_SIZE = 50


def _member(ctx: RequestContext, account_id: str, member_id: str) -> tuple[Doc, Doc] | None:
    """The member as a membership shows it, and the user or bot record it is read from."""
    user = ctx.store.get_user(account_id, member_id)
    if user is not None:
        kind, record, email, name = (
            MemberType.USER,
            user,
            user["PrimaryEmail"],
            user.get("DisplayName"),
        )
    else:
        bot = ctx.store.get_record(BOT_KIND, member_id, scope=account_id)
        if bot is None:
            return None
        kind, record, email, name = MemberType.BOT, bot, bot["BotEmail"], bot["DisplayName"]
    details = {"MemberId": member_id, "MemberType": kind, "Email": email, "AccountId": account_id}
    return details | ({"FullName": name} if name else {}), record


def _answer(room: Doc, membership: Doc, member: Doc) -> Doc:
    return {
        "RoomId": room["RoomId"],
        "Member": member,
        "Role": membership["Role"],
        "InvitedBy": membership["InvitedBy"],
        "UpdatedTimestamp": membership["UpdatedTimestamp"],
    }


def add_member(ctx: RequestContext, room: Doc, member_id: str, role: str | None) -> Doc:
    found = _member(ctx, room["AccountId"], member_id)
    if found is None:
        raise NotFoundException(f"Member '{member_id}' not found in account '{room['AccountId']}'")
    member, record = found
    if member["MemberType"] == MemberType.BOT:
        if record.get("Disabled"):
            raise BadRequestException(f"Bot '{member_id}' is disabled and cannot join rooms")
        if role == RoomMembershipRole.ADMINISTRATOR:
            raise BadRequestException("Bots can only be room members, not administrators")
    key = membership_key(room["RoomId"], member_id)
    if ctx.store.get_record(MEMBERSHIP_KIND, key) is not None:
        raise ConflictException(f"Member '{member_id}' is already in room '{room['RoomId']}'")
    if ctx.store.count_records(MEMBERSHIP_KIND, room["RoomId"]) >= MEMBER_LIMIT:
        raise ResourceLimitExceededException(
            f"Room '{room['RoomId']}' already has the maximum of {MEMBER_LIMIT} members"
        )
    membership = {
        "AccountId": room["AccountId"],
        "RoomId": room["RoomId"],
        "MemberId": member_id,
        "Role": role or RoomMembershipRole.MEMBER,
        "InvitedBy": ctx.caller.arn,
        "UpdatedTimestamp": ctx.now,
    }
    ctx.store.put_record(MEMBERSHIP_KIND, room["RoomId"], key, membership)
    return _answer(room, membership, member)


def create_room_membership(
    ctx: RequestContext, params: shapes.CreateRoomMembershipRequest
) -> shapes.CreateRoomMembershipResponse:
    room = require_room(ctx, params["AccountId"], params["RoomId"], "CreateRoomMembership")
    return {"RoomMembership": add_member(ctx, room, params["MemberId"], params.get("Role"))}


def batch_create_room_membership(
    ctx: RequestContext, params: shapes.BatchCreateRoomMembershipRequest
) -> shapes.BatchCreateRoomMembershipResponse:
    room = require_room(ctx, params["AccountId"], params["RoomId"], "BatchCreateRoomMembership")
    items = [(item.get("MemberId", ""), item) for item in params["MembershipItemList"]]

    def add(member_id: str, item: Mapping[str, Any]) -> None:
        add_member(ctx, room, member_id, item.get("Role"))

    return {"Errors": item_errors(items, "MemberId", add)}


def list_room_memberships(
    ctx: RequestContext, params: shapes.ListRoomMembershipsRequest
) -> shapes.ListRoomMembershipsResponse:
    room = require_room(ctx, params["AccountId"], params["RoomId"], "ListRoomMemberships")
    rows = [
        (seq, _answer(room, membership, found[0]))
        for seq, membership in ctx.store.scope_records(MEMBERSHIP_KIND, room["RoomId"])
        if (found := _member(ctx, room["AccountId"], membership["MemberId"])) is not None
    ]
    scope = page_scope("ListRoomMemberships", room["RoomId"])
    limit = params.get("MaxResults", DEFAULT_PAGE_SIZE)
    page = page_rows(ctx.tokens, scope, "RoomMemberships", rows, params.get("NextToken"), limit)
    return cast(shapes.ListRoomMembershipsResponse, page)


def _require_membership(
    ctx: RequestContext, params: Mapping[str, Any], operation: str
) -> tuple[Doc, Doc]:
    room = require_room(ctx, params["AccountId"], params["RoomId"], operation)
    membership = ctx.store.get_record(
        MEMBERSHIP_KIND, membership_key(room["RoomId"], params["MemberId"])
    )
    if membership is None:
        raise NotFoundException(f"Member '{params['MemberId']}' is not in room '{room['RoomId']}'")
    return room, membership


def update_room_membership(
    ctx: RequestContext, params: shapes.UpdateRoomMembershipRequest
) -> shapes.UpdateRoomMembershipResponse:
    room, membership = _require_membership(ctx, params, "UpdateRoomMembership")
    found = _member(ctx, room["AccountId"], membership["MemberId"])
    if found is not None and found[0]["MemberType"] == MemberType.BOT:
        raise BadRequestException("Room membership roles can be updated only for users")
    if params.get("Role") is not None:
        membership["Role"] = params["Role"]
    membership["UpdatedTimestamp"] = ctx.now
    key = membership_key(room["RoomId"], membership["MemberId"])
    ctx.store.put_record(MEMBERSHIP_KIND, room["RoomId"], key, membership)
    return {"RoomMembership": _answer(room, membership, found[0])} if found else {}


def delete_room_membership(ctx: RequestContext, params: shapes.DeleteRoomMembershipRequest) -> None:
    room, membership = _require_membership(ctx, params, "DeleteRoomMembership")
    ctx.store.delete_record(MEMBERSHIP_KIND, membership_key(room["RoomId"], membership["MemberId"]))


HANDLERS: dict[str, Handler] = {
    "CreateRoomMembership": create_room_membership,
    "BatchCreateRoomMembership": batch_create_room_membership,
    "ListRoomMemberships": list_room_memberships,
    "UpdateRoomMembership": update_room_membership,
    "DeleteRoomMembership": delete_room_membership,
}
