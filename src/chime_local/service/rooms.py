"""Chat rooms of Enterprise accounts (decisions 12, 22).

``CreateRoom`` is idempotent by ``ClientRequestToken`` within an account; an account holds at most
:data:`ROOM_LIMIT` rooms. Deleting a room removes its memberships.
"""

from __future__ import annotations

from typing import cast

from chime_local.errors import NotFoundException, ResourceLimitExceededException
from chime_local.model import shapes
from chime_local.service.context import Handler, RequestContext, new_id
from chime_local.service.lookup import require_enterprise_account
from chime_local.service.pagination import page_rows, page_scope
from chime_local.store import kinds
from chime_local.store.base import Doc, Store

ROOM_KIND = kinds.ROOM
TOKEN_KIND = kinds.ROOM_TOKEN
MEMBERSHIP_KIND = kinds.ROOM_MEMBERSHIP
ROOM_LIMIT = 1500
DEFAULT_PAGE_SIZE = 50


def require_room(ctx: RequestContext, account_id: str, room_id: str, operation: str) -> Doc:
    require_enterprise_account(ctx, account_id, operation)
    room = ctx.store.get_record(ROOM_KIND, room_id, scope=account_id)
    if room is None:
        raise NotFoundException(f"Room '{room_id}' not found in account '{account_id}'")
    return room


def membership_key(room_id: str, member_id: str) -> str:
    return f"{room_id}/{member_id}"


def create_room(ctx: RequestContext, params: shapes.CreateRoomRequest) -> shapes.CreateRoomResponse:
    account = require_enterprise_account(ctx, params["AccountId"], "CreateRoom")
    account_id = account["AccountId"]
    token = params.get("ClientRequestToken")
    if token is not None:
        known = ctx.store.get_record(TOKEN_KIND, f"{account_id}/{token}")
        room = known and ctx.store.get_record(ROOM_KIND, known["RoomId"], scope=account_id)
        if room:
            return {"Room": room}
    if ctx.store.count_records(ROOM_KIND, account_id) >= ROOM_LIMIT:
        raise ResourceLimitExceededException(
            f"Account '{account_id}' already has the maximum of {ROOM_LIMIT} rooms"
        )
    room = {
        "RoomId": new_id(),
        "Name": params["Name"],
        "AccountId": account_id,
        "CreatedBy": ctx.caller.arn,
        "CreatedTimestamp": ctx.now,
        "UpdatedTimestamp": ctx.now,
    }
    if token is not None:
        room["ClientRequestToken"] = token  # not in the Room shape, so never serialized
    save_room(ctx.store, room)
    return {"Room": room}


def save_room(store: Store, room: Doc) -> None:
    """Store a room and the idempotency token that created it, if any."""
    account_id = room["AccountId"]
    store.put_record(ROOM_KIND, account_id, room["RoomId"], room)
    token = room.get("ClientRequestToken")
    if token is not None:
        store.put_record(
            TOKEN_KIND, account_id, f"{account_id}/{token}", {"RoomId": room["RoomId"]}
        )


def get_room(ctx: RequestContext, params: shapes.GetRoomRequest) -> shapes.GetRoomResponse:
    return {"Room": require_room(ctx, params["AccountId"], params["RoomId"], "GetRoom")}


def list_rooms(ctx: RequestContext, params: shapes.ListRoomsRequest) -> shapes.ListRoomsResponse:
    account = require_enterprise_account(ctx, params["AccountId"], "ListRooms")
    rows = ctx.store.scope_records(ROOM_KIND, account["AccountId"])
    member = params.get("MemberId")
    if member is not None:
        rows = [
            (seq, room)
            for seq, room in rows
            if ctx.store.get_record(MEMBERSHIP_KIND, membership_key(room["RoomId"], member))
        ]
    scope = page_scope("ListRooms", account["AccountId"], member)
    limit = params.get("MaxResults", DEFAULT_PAGE_SIZE)
    page = page_rows(ctx.tokens, scope, "Rooms", rows, params.get("NextToken"), limit)
    return cast(shapes.ListRoomsResponse, page)


def update_room(ctx: RequestContext, params: shapes.UpdateRoomRequest) -> shapes.UpdateRoomResponse:
    room = require_room(ctx, params["AccountId"], params["RoomId"], "UpdateRoom")
    if params.get("Name") is not None:
        room["Name"] = params["Name"]
    room["UpdatedTimestamp"] = ctx.now
    save_room(ctx.store, room)
    return {"Room": room}


def delete_room(ctx: RequestContext, params: shapes.DeleteRoomRequest) -> None:
    room = require_room(ctx, params["AccountId"], params["RoomId"], "DeleteRoom")
    ctx.store.delete_scope(MEMBERSHIP_KIND, room["RoomId"])
    ctx.store.delete_record(ROOM_KIND, room["RoomId"])


def redact_room_message(
    ctx: RequestContext, params: shapes.RedactRoomMessageRequest
) -> shapes.RedactRoomMessageResponse:
    """There is no message store: the room must exist, any message ID is accepted."""
    require_room(ctx, params["AccountId"], params["RoomId"], "RedactRoomMessage")
    return {}


HANDLERS: dict[str, Handler] = {
    "CreateRoom": create_room,
    "GetRoom": get_room,
    "ListRooms": list_rooms,
    "UpdateRoom": update_room,
    "DeleteRoom": delete_room,
    "RedactRoomMessage": redact_room_message,
}
