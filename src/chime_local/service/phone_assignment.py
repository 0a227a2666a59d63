"""Numbers and users: assigning a user's primary number, and dialing out from the inventory.

Assigning makes the user's ``PrimaryProvisionedNumber`` the number and the number ``Assigned``
with ``UserId`` and ``AccountId`` associations (decisions 21). A user removed from an account
releases the number.
"""

from __future__ import annotations

from chime_local.errors import BadRequestException, NotFoundException
from chime_local.model import shapes
from chime_local.model.enums import PhoneNumberProductType
from chime_local.service.context import Handler, RequestContext, new_id
from chime_local.service.lookup import require_user
from chime_local.service.phone_numbers import (
    ACQUIRING,
    ASSIGNED,
    DELETING,
    UNASSIGNED,
    find_number,
    save,
)
from chime_local.store.base import Doc


def associate_phone_number_with_user(
    ctx: RequestContext, params: shapes.AssociatePhoneNumberWithUserRequest
) -> shapes.AssociatePhoneNumberWithUserResponse:
    user = require_user(ctx, params["AccountId"], params["UserId"])
    number = find_number(ctx, params["E164PhoneNumber"])
    if number is None or number["Status"] == DELETING:
        raise NotFoundException(
            f"Phone number '{params['E164PhoneNumber']}' is not in the phone number inventory"
        )
    e164 = number["E164PhoneNumber"]
    if number["Status"] == ACQUIRING:
        raise BadRequestException(f"Phone number {e164} is still being acquired by its order")
    if number["ProductType"] != PhoneNumberProductType.BUSINESS_CALLING:
        raise BadRequestException(f"Only BusinessCalling numbers can be assigned to users: {e164}")
    holder = _association(number, "UserId")
    if holder not in (None, user["UserId"]):
        raise BadRequestException(f"Phone number {e164} is already assigned to another user")
    previous = user.get("PrimaryProvisionedNumber")
    if previous and previous != e164:
        _unassign(ctx, previous)
    number["Status"] = ASSIGNED
    number["Associations"] = [
        {"Value": user["UserId"], "Name": "UserId", "AssociatedTimestamp": ctx.now},
        {"Value": user["AccountId"], "Name": "AccountId", "AssociatedTimestamp": ctx.now},
    ]
    number["UpdatedTimestamp"] = ctx.now
    save(ctx, number)
    user["PrimaryProvisionedNumber"] = e164
    ctx.store.save_user(user)
    return {}


def disassociate_phone_number_from_user(
    ctx: RequestContext, params: shapes.DisassociatePhoneNumberFromUserRequest
) -> shapes.DisassociatePhoneNumberFromUserResponse:
    """Idempotent: a user without a number is left as it is."""
    user = require_user(ctx, params["AccountId"], params["UserId"])
    release_user_number(ctx, user)
    return {}


def release_user_number(ctx: RequestContext, user: Doc) -> None:
    number = user.pop("PrimaryProvisionedNumber", None)
    if number:
        _unassign(ctx, number)
        ctx.store.save_user(user)


def _unassign(ctx: RequestContext, e164: str) -> None:
    number = find_number(ctx, e164)
    if number is not None and number["Status"] == ASSIGNED:
        number |= {"Status": UNASSIGNED, "Associations": [], "UpdatedTimestamp": ctx.now}
        save(ctx, number)


def _association(number: Doc, name: str) -> str | None:
    return next((a["Value"] for a in number.get("Associations", []) if a["Name"] == name), None)


def create_meeting_dial_out(
    ctx: RequestContext, params: shapes.CreateMeetingDialOutRequest
) -> shapes.CreateMeetingDialOutResponse:
    number = find_number(ctx, params["FromPhoneNumber"])
    if number is None or number["Status"] == DELETING:
        raise BadRequestException(
            f"FromPhoneNumber '{params['FromPhoneNumber']}' is not in the phone number inventory"
        )
    return {"TransactionId": new_id()}


HANDLERS: dict[str, Handler] = {
    "AssociatePhoneNumberWithUser": associate_phone_number_with_user,
    "DisassociatePhoneNumberFromUser": disassociate_phone_number_from_user,
    "CreateMeetingDialOut": create_meeting_dial_out,
}
