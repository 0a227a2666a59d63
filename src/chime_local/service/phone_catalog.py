"""Finding and ordering numbers: search, supported countries, orders (decisions 20).

Search is deterministic: US numbers come from the fictional ``555-0100`` to ``555-0199`` range of
the requested (or the state's) area code, toll-free ones from the requested prefix, and other
countries from a fixed range of their calling code; numbers already in any inventory are never
offered.

An order answers ``Processing``, the order and each number, as the API reference shows. Its
outcome is fixed when it is placed: a number someone already owns will fail, a free one enters
the tenant's inventory at once as ``AcquireInProgress`` (so it counts against the quota and no one
else can order it). Once ``Config.phone_number_order_delay`` has passed on the server clock
(default 0 s: at the next read) the order reads ``Successful``, ``Partial`` or ``Failed`` with each
number ``Acquired`` or ``Failed``, and its numbers are ``Unassigned`` (``phone_numbers.settle``).
While it is processing, the stored order keeps the outcome and readers are shown ``Processing``.
"""

from __future__ import annotations

import zlib
from typing import cast

from chime_local.clock import parse_wire_time, wire_time
from chime_local.errors import (
    BadRequestException,
    NotFoundException,
    ResourceLimitExceededException,
)
from chime_local.model import shapes
from chime_local.service.context import Handler, RequestContext, new_id
from chime_local.service.pagination import page_rows, page_scope
from chime_local.service.phone_numbers import (
    ACQUIRING,
    KIND,
    UNASSIGNED,
    active_count,
    check_product_type,
    is_toll_free,
    number_key,
    order_delay,
    save,
    wire_id,
)
from chime_local.store import kinds
from chime_local.store.base import Doc

ORDER_KIND = kinds.PHONE_NUMBER_ORDER
PROCESSING = "Processing"
DEFAULT_PAGE_SIZE = 50
CALLING_CODES = {
    "US": "1", "CA": "1", "PR": "1", "AT": "43", "AU": "61", "CH": "41", "DE": "49", "DK": "45",
    "FI": "358", "GB": "44", "IE": "353", "IT": "39", "KR": "82", "NG": "234", "NZ": "64",
    "SE": "46",
}  # fmt: skip
NANP_AREAS = {"CA": "416", "PR": "787"}
STATE_AREA_CODES = {
    "WA": "206", "CA": "415", "NY": "212", "TX": "512", "IL": "312", "MA": "617", "FL": "305",
    "CO": "303", "GA": "404", "OR": "503", "DC": "202", "VA": "703", "NJ": "201", "PA": "215",
}  # fmt: skip
FALLBACK_AREA_CODES = ("207", "208", "216", "225", "231", "239", "240", "248", "251", "252")
US_TYPES = ["Local", "TollFree"]


def search_available_phone_numbers(
    ctx: RequestContext, params: shapes.SearchAvailablePhoneNumbersRequest
) -> shapes.SearchAvailablePhoneNumbersResponse:
    candidates = [n for n in _candidates(params) if ctx.store.get_record(KIND, n) is None]
    rows = list(enumerate(candidates, start=1))
    filters = sorted((k, v) for k, v in params.items() if k not in ("NextToken", "MaxResults"))
    scope = page_scope("SearchAvailablePhoneNumbers", filters)
    limit = params.get("MaxResults", DEFAULT_PAGE_SIZE)
    page = page_rows(ctx.tokens, scope, "E164PhoneNumbers", rows, params.get("NextToken"), limit)
    return cast(shapes.SearchAvailablePhoneNumbersResponse, page)


def _candidates(params: shapes.SearchAvailablePhoneNumbersRequest) -> list[str]:
    country = params.get("Country", "US")
    area, city, state = params.get("AreaCode"), params.get("City"), params.get("State")
    prefix, kind = params.get("TollFreePrefix"), params.get("PhoneNumberType")
    if country != "US":
        if country not in CALLING_CODES:
            raise BadRequestException(f"Country '{country}' is not supported")
        if area or city or state or prefix:
            raise BadRequestException(
                "Outside the US only PhoneNumberType is supported (no AreaCode, City, State or "
                "TollFreePrefix)"
            )
        if kind is None:
            raise BadRequestException("PhoneNumberType is required outside the US")
        code = CALLING_CODES[country]
        base = code + NANP_AREAS.get(country, "") + ("800" if kind == "TollFree" else "")
        return [f"+{base}5550{i:03d}" for i in range(100, 200)]
    if not (area or city or state or prefix):
        raise BadRequestException("A US search needs AreaCode, City, State or TollFreePrefix")
    if city and not state:
        raise BadRequestException("City requires State")
    if prefix:
        if area or city or state:
            raise BadRequestException("TollFreePrefix cannot be combined with AreaCode/City/State")
        return [f"+1{prefix}5550{i:03d}" for i in range(100, 200)]
    if not area:
        area = (
            STATE_AREA_CODES.get(state or "")
            or FALLBACK_AREA_CODES[
                zlib.crc32(f"{state}/{city}".encode()) % len(FALLBACK_AREA_CODES)
            ]
        )
    if not (len(area) == 3 and area.isdigit()):
        raise BadRequestException(f"AreaCode '{area}' must be three digits")
    return [f"+1{area}5550{i:03d}" for i in range(100, 200)]


def list_supported_phone_number_countries(
    ctx: RequestContext, params: shapes.ListSupportedPhoneNumberCountriesRequest
) -> shapes.ListSupportedPhoneNumberCountriesResponse:
    countries = [{"CountryCode": "US", "SupportedPhoneNumberTypes": US_TYPES}]
    if params["ProductType"] == "SipMediaApplicationDialIn":
        countries += [
            {"CountryCode": code, "SupportedPhoneNumberTypes": ["Local"]}
            for code in sorted(CALLING_CODES)
            if code != "US"
        ]
    return {"PhoneNumberCountries": countries}


def country_of(number: str) -> str:
    if number.startswith("+1"):
        area = number[2:5]
        return next((c for c, a in NANP_AREAS.items() if a == area), "US")
    matches = [c for c, code in CALLING_CODES.items() if number[1:].startswith(code)]
    return max(matches, key=lambda c: len(CALLING_CODES[c]), default="US")


def new_number(number: str, product_type: str, now: str, status: str = UNASSIGNED) -> Doc:
    capabilities = ("InboundCall", "OutboundCall", "InboundSMS", "OutboundSMS")
    return {
        "PhoneNumberId": wire_id(number),
        "E164PhoneNumber": number,
        "Country": country_of(number),
        "Type": "TollFree" if is_toll_free(number) else "Local",
        "ProductType": product_type,
        "Status": status,
        "Capabilities": dict.fromkeys((*capabilities, "InboundMMS", "OutboundMMS"), True),
        "Associations": [],
        "CallingNameStatus": "Unassigned",
        "CreatedTimestamp": now,
        "UpdatedTimestamp": now,
    }


def complete_number(given: Doc, now: str) -> Doc:
    """A seed's phone number, with what it leaves out filled as an order would."""
    number = number_key(given["E164PhoneNumber"])
    return {**new_number(number, given["ProductType"], now), **given, "E164PhoneNumber": number}


def create_phone_number_order(
    ctx: RequestContext, params: shapes.CreatePhoneNumberOrderRequest
) -> shapes.CreatePhoneNumberOrderResponse:
    product_type = params["ProductType"]
    numbers = list(dict.fromkeys(number_key(n) for n in params["E164PhoneNumbers"]))
    if not numbers:
        raise BadRequestException("E164PhoneNumbers must name at least one number")
    for number in numbers:
        check_product_type(number, product_type)
    free = [n for n in numbers if ctx.store.get_record(KIND, n) is None]
    quota = ctx.config.phone_number_quota
    if active_count(ctx) + len(free) > quota:
        raise ResourceLimitExceededException(
            f"Ordering {len(free)} more numbers would exceed the inventory limit of {quota}"
        )
    for number in free:
        save(ctx, new_number(number, product_type, ctx.now, ACQUIRING))
    ordered = [
        {"E164PhoneNumber": n, "Status": "Acquired" if n in free else "Failed"} for n in numbers
    ]
    order: Doc = {
        "PhoneNumberOrderId": new_id(),
        "ProductType": product_type,
        "Status": PROCESSING,
        "OrderedPhoneNumbers": ordered,  # the outcome, shown once the order completes
        "CreatedTimestamp": ctx.now,
        "UpdatedTimestamp": ctx.now,
    }
    ctx.store.put_record(ORDER_KIND, ctx.tenant, order["PhoneNumberOrderId"], order)
    return {"PhoneNumberOrder": _shown(order)}


def settle_order(ctx: RequestContext, order: Doc) -> Doc:
    """Complete a processing order whose provisioning delay has passed on the server clock."""
    if order["Status"] != PROCESSING:
        return order
    completes = parse_wire_time(order["CreatedTimestamp"]) + order_delay(ctx)
    if ctx.moment < completes:
        return order
    acquired = sum(1 for n in order["OrderedPhoneNumbers"] if n["Status"] == "Acquired")
    total = len(order["OrderedPhoneNumbers"])
    status = "Successful" if acquired == total else "Partial" if acquired else "Failed"
    order = {**order, "Status": status, "UpdatedTimestamp": wire_time(completes)}
    ctx.store.put_record(ORDER_KIND, ctx.tenant, order["PhoneNumberOrderId"], order)
    return order


def _shown(order: Doc) -> Doc:
    """The order as readers see it: while processing, every number is processing too."""
    if order["Status"] != PROCESSING:
        return order
    ordered = [{**n, "Status": PROCESSING} for n in order["OrderedPhoneNumbers"]]
    return {**order, "OrderedPhoneNumbers": ordered}


def _readable(ctx: RequestContext, order: Doc) -> Doc:
    return _shown(settle_order(ctx, order))


def get_phone_number_order(
    ctx: RequestContext, params: shapes.GetPhoneNumberOrderRequest
) -> shapes.GetPhoneNumberOrderResponse:
    order_id = params["PhoneNumberOrderId"]
    order = ctx.store.get_record(ORDER_KIND, order_id.lower(), scope=ctx.tenant)
    if order is None:
        raise NotFoundException(f"Phone number order '{order_id}' not found")
    return {"PhoneNumberOrder": _readable(ctx, order)}


def list_phone_number_orders(
    ctx: RequestContext, params: shapes.ListPhoneNumberOrdersRequest
) -> shapes.ListPhoneNumberOrdersResponse:
    rows = [(seq, _readable(ctx, o)) for seq, o in ctx.store.scope_records(ORDER_KIND, ctx.tenant)]
    limit = params.get("MaxResults", DEFAULT_PAGE_SIZE)
    scope = page_scope("ListPhoneNumberOrders")
    page = page_rows(ctx.tokens, scope, "PhoneNumberOrders", rows, params.get("NextToken"), limit)
    return cast(shapes.ListPhoneNumberOrdersResponse, page)


HANDLERS: dict[str, Handler] = {
    "SearchAvailablePhoneNumbers": search_available_phone_numbers,
    "ListSupportedPhoneNumberCountries": list_supported_phone_number_countries,
    "CreatePhoneNumberOrder": create_phone_number_order,
    "GetPhoneNumberOrder": get_phone_number_order,
    "ListPhoneNumberOrders": list_phone_number_orders,
}
