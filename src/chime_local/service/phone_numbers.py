"""The tenant's phone-number inventory: read, list, update, delete, restore (decisions 20-21).

Numbers belong to the AWS account (tenant), not to a Chime account. ``PhoneNumberId`` is accepted
as ``+12065550100`` or ``%2B12065550100`` (after the one percent-decode of the path), and is
returned in the service's URL-encoded form. Time-based transitions read the server's clock and are
applied whenever numbers are read: an ordered number (``AcquireInProgress``) becomes ``Unassigned``
once the order's provisioning delay has passed (:func:`order_delay`), a calling-name change
completes after
:data:`CALLING_NAME_DELAY`, and a deleted number leaves the deletion queue (is purged) after
:data:`DELETION_QUEUE`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, cast

from chime_local.auth.permissions import visible_accounts
from chime_local.clock import parse_wire_time
from chime_local.errors import (
    BadRequestException,
    ConflictException,
    NotFoundException,
    ResourceLimitExceededException,
)
from chime_local.model import shapes
from chime_local.model.enums import PhoneNumberProductType, PhoneNumberStatus
from chime_local.service.batches import item_errors
from chime_local.service.context import Handler, RequestContext
from chime_local.service.pagination import page_rows, page_scope
from chime_local.store import kinds
from chime_local.store.base import Doc

KIND = kinds.PHONE_NUMBER
DELETION_QUEUE = timedelta(days=7)
CALLING_NAME_DELAY = timedelta(seconds=60)
DEFAULT_PAGE_SIZE = 50
TOLL_FREE_AREA_CODES = frozenset({"800", "833", "844", "855", "866", "877", "888"})
DELETING, UNASSIGNED, ASSIGNED = (
    PhoneNumberStatus.DELETE_IN_PROGRESS,
    PhoneNumberStatus.UNASSIGNED,
    PhoneNumberStatus.ASSIGNED,
)
BUSINESS_CALLING = PhoneNumberProductType.BUSINESS_CALLING
ACQUIRING = PhoneNumberStatus.ACQUIRE_IN_PROGRESS


class PhoneNumberAssociationsExist(BadRequestException):
    """A number still assigned cannot be deleted (``ErrorCode`` enum value of that name)."""

    code = "PhoneNumberAssociationsExist"


def number_key(raw: str) -> str:
    """The canonical ``+digits`` form of a number or PhoneNumberId."""
    text = raw.strip()
    if text[:3].upper() == "%2B":
        text = "+" + text[3:]
    return text if text.startswith("+") else "+" + text


def wire_id(number: str) -> str:
    return "%2B" + number[1:]


def is_toll_free(number: str) -> bool:
    return number.startswith("+1") and number[2:5] in TOLL_FREE_AREA_CODES


def check_product_type(number: str, product_type: str) -> None:
    """Toll-free numbers cannot be BusinessCalling; others outside the US must be SIP dial-in."""
    if product_type == BUSINESS_CALLING and is_toll_free(number):
        raise BadRequestException(f"Toll-free number {number} cannot be used for BusinessCalling")
    if not number.startswith("+1") and product_type != "SipMediaApplicationDialIn":
        raise BadRequestException(
            f"Number {number} is outside the US and must use SipMediaApplicationDialIn"
        )


def settle(ctx: RequestContext, number: Doc) -> Doc | None:
    """Apply time-based transitions; ``None`` when the number has left the deletion queue."""
    now = ctx.moment
    deleted = number.get("DeletionTimestamp", ctx.now)
    if number["Status"] == DELETING and now >= parse_wire_time(deleted) + DELETION_QUEUE:
        ctx.store.delete_record(KIND, number["E164PhoneNumber"])
        return None
    if number["Status"] == ACQUIRING:
        if now < parse_wire_time(number["CreatedTimestamp"]) + order_delay(ctx):
            return number
        number["Status"] = UNASSIGNED
        save(ctx, number)
    renaming = number.get("CallingNameStatus") == "UpdateInProgress"
    if renaming and now >= parse_wire_time(number["UpdatedTimestamp"]) + CALLING_NAME_DELAY:
        number["CallingNameStatus"] = "UpdateSucceeded"
        save(ctx, number)
    return number


def order_delay(ctx: RequestContext) -> timedelta:
    """How long an order stays processing (decisions 20), on the server clock."""
    return timedelta(seconds=ctx.config.phone_number_order_delay)


def save(ctx: RequestContext, number: Doc) -> None:
    ctx.store.put_record(KIND, ctx.tenant, number["E164PhoneNumber"], number)


def tenant_numbers(ctx: RequestContext) -> list[tuple[int, Doc]]:
    rows = []
    for seq, number in ctx.store.scope_records(KIND, ctx.tenant):
        settled = settle(ctx, number)
        if settled is not None:
            rows.append((seq, settled))
    return rows


def active_count(ctx: RequestContext) -> int:
    return sum(1 for _, number in tenant_numbers(ctx) if number["Status"] != DELETING)


def find_number(ctx: RequestContext, raw_id: str) -> Doc | None:
    number = ctx.store.get_record(KIND, number_key(raw_id), scope=ctx.tenant)
    return settle(ctx, number) if number is not None else None


def require_number(ctx: RequestContext, raw_id: str) -> Doc:
    number = find_number(ctx, raw_id)
    if number is None:
        raise NotFoundException(f"Phone number '{raw_id}' not found")
    return number


def get_phone_number(
    ctx: RequestContext, params: shapes.GetPhoneNumberRequest
) -> shapes.GetPhoneNumberResponse:
    return {"PhoneNumber": require_number(ctx, params["PhoneNumberId"])}


def list_phone_numbers(
    ctx: RequestContext, params: shapes.ListPhoneNumbersRequest
) -> shapes.ListPhoneNumbersResponse:
    status, product = params.get("Status"), params.get("ProductType")
    name, value = params.get("FilterName"), params.get("FilterValue")
    if (name is None) != (value is None):
        raise BadRequestException("FilterName and FilterValue must be given together")

    visible = visible_accounts(ctx.config.credentials, ctx.caller.access_key)

    def wanted(number: Doc) -> bool:
        if visible is not None and not _in_accounts(number, visible):
            return False
        if status is not None and number["Status"] != status:
            return False
        if product is not None and number["ProductType"] != product:
            return False
        associations = number.get("Associations", [])
        return name is None or any(a["Name"] == name and a["Value"] == value for a in associations)

    rows = [(seq, number) for seq, number in tenant_numbers(ctx) if wanted(number)]
    scope = page_scope("ListPhoneNumbers", status, product, name, value)
    limit = params.get("MaxResults", DEFAULT_PAGE_SIZE)
    page = page_rows(ctx.tokens, scope, "PhoneNumbers", rows, params.get("NextToken"), limit)
    return cast(shapes.ListPhoneNumbersResponse, page)


def _in_accounts(number: Doc, accounts: frozenset[str]) -> bool:
    """Whether a number is associated with none but these accounts."""
    associations = number.get("Associations", [])
    return all(a["Value"] in accounts for a in associations if a["Name"] == "AccountId")


def apply_update(ctx: RequestContext, number: Doc, changes: Mapping[str, Any]) -> None:
    """Change either the product type or the calling name of one number."""
    product, calling_name = changes.get("ProductType"), changes.get("CallingName")
    if (product is None) == (calling_name is None):
        raise BadRequestException("Give either ProductType or CallingName, not both or neither")
    if number["Status"] == DELETING:
        raise BadRequestException(f"Phone number {number['E164PhoneNumber']} is being deleted")
    if product is not None:
        check_product_type(number["E164PhoneNumber"], product)
        if number["Status"] == ASSIGNED and product != BUSINESS_CALLING:
            raise BadRequestException("An assigned number must stay BusinessCalling")
        number["ProductType"] = product
    else:
        if number.get("CallingNameStatus") == "UpdateInProgress":
            raise ConflictException("A calling name change is already in progress")
        number["CallingName"] = calling_name
        number["CallingNameStatus"] = "UpdateInProgress"
    number["UpdatedTimestamp"] = ctx.now
    save(ctx, number)


def update_phone_number(
    ctx: RequestContext, params: shapes.UpdatePhoneNumberRequest
) -> shapes.UpdatePhoneNumberResponse:
    number = require_number(ctx, params["PhoneNumberId"])
    apply_update(ctx, number, params)
    return {"PhoneNumber": number}


def mark_deleted(ctx: RequestContext, number: Doc) -> None:
    if number["Status"] == DELETING:
        raise BadRequestException(f"Phone number {number['E164PhoneNumber']} is already deleted")
    if number.get("Associations"):
        raise PhoneNumberAssociationsExist(
            f"Phone number {number['E164PhoneNumber']} is assigned; disassociate it first"
        )
    number |= {"Status": DELETING, "DeletionTimestamp": ctx.now, "UpdatedTimestamp": ctx.now}
    save(ctx, number)


def delete_phone_number(ctx: RequestContext, params: shapes.DeletePhoneNumberRequest) -> None:
    mark_deleted(ctx, require_number(ctx, params["PhoneNumberId"]))


def restore_phone_number(
    ctx: RequestContext, params: shapes.RestorePhoneNumberRequest
) -> shapes.RestorePhoneNumberResponse:
    number = require_number(ctx, params["PhoneNumberId"])
    if number["Status"] != DELETING:
        raise BadRequestException(f"Phone number {number['E164PhoneNumber']} is not deleted")
    quota = ctx.config.phone_number_quota
    if active_count(ctx) >= quota:
        raise ResourceLimitExceededException(f"The inventory already holds {quota} numbers")
    number.pop("DeletionTimestamp", None)
    number |= {"Status": UNASSIGNED, "Associations": [], "UpdatedTimestamp": ctx.now}
    save(ctx, number)
    return {"PhoneNumber": number}


def batch_update_phone_number(
    ctx: RequestContext, params: shapes.BatchUpdatePhoneNumberRequest
) -> shapes.BatchUpdatePhoneNumberResponse:
    items = [(item["PhoneNumberId"], item) for item in params["UpdatePhoneNumberRequestItems"]]

    def update(raw_id: str, item: Mapping[str, Any]) -> None:
        apply_update(ctx, require_number(ctx, raw_id), item)

    return {"PhoneNumberErrors": item_errors(items, "PhoneNumberId", update)}


def batch_delete_phone_number(
    ctx: RequestContext, params: shapes.BatchDeletePhoneNumberRequest
) -> shapes.BatchDeletePhoneNumberResponse:
    items = [(raw_id, None) for raw_id in params["PhoneNumberIds"]]

    def delete(raw_id: str, _: None) -> None:
        mark_deleted(ctx, require_number(ctx, raw_id))

    return {"PhoneNumberErrors": item_errors(items, "PhoneNumberId", delete)}


HANDLERS: dict[str, Handler] = {
    "GetPhoneNumber": get_phone_number,
    "ListPhoneNumbers": list_phone_numbers,
    "UpdatePhoneNumber": update_phone_number,
    "BatchUpdatePhoneNumber": batch_update_phone_number,
    "DeletePhoneNumber": delete_phone_number,
    "BatchDeletePhoneNumber": batch_delete_phone_number,
    "RestorePhoneNumber": restore_phone_number,
}
