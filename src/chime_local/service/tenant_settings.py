"""Settings of the whole AWS account: global (CDR buckets) and the default calling name.

Getters of settings never set return the empty structure (decisions 22). The default calling name
can change once every 7 days (the model's documentation); sooner is ``BadRequestException``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from chime_local.clock import parse_wire_time
from chime_local.errors import BadRequestException
from chime_local.model import shapes
from chime_local.service.context import Handler, RequestContext
from chime_local.store import kinds

GLOBAL_KIND = kinds.GLOBAL_SETTINGS
PHONE_KIND = kinds.PHONE_NUMBER_SETTINGS
CALLING_NAME_INTERVAL = timedelta(days=7)


def get_global_settings(
    ctx: RequestContext, params: shapes.NoInput
) -> shapes.GetGlobalSettingsResponse:
    settings = ctx.store.get_record(GLOBAL_KIND, ctx.tenant) or {}
    return cast(shapes.GetGlobalSettingsResponse, settings)  # the record is the answer


def update_global_settings(ctx: RequestContext, params: shapes.UpdateGlobalSettingsRequest) -> None:
    settings = ctx.store.get_record(GLOBAL_KIND, ctx.tenant) or {}
    for section in ("BusinessCalling", "VoiceConnector"):
        if section in params:
            settings[section] = {**settings.get(section, {}), **params[section]}
    ctx.store.put_record(GLOBAL_KIND, ctx.tenant, ctx.tenant, settings)


def get_phone_number_settings(
    ctx: RequestContext, params: shapes.NoInput
) -> shapes.GetPhoneNumberSettingsResponse:
    settings = ctx.store.get_record(PHONE_KIND, ctx.tenant) or {}
    return cast(shapes.GetPhoneNumberSettingsResponse, settings)  # the record is the answer


def update_phone_number_settings(
    ctx: RequestContext, params: shapes.UpdatePhoneNumberSettingsRequest
) -> None:
    settings = ctx.store.get_record(PHONE_KIND, ctx.tenant)
    if settings is not None:
        next_change = (
            parse_wire_time(settings["CallingNameUpdatedTimestamp"]) + CALLING_NAME_INTERVAL
        )
        if ctx.moment < next_change:
            raise BadRequestException(
                "The default calling name can be changed once every 7 days; next change allowed "
                f"after {next_change.isoformat()}"
            )
    document = {"CallingName": params["CallingName"], "CallingNameUpdatedTimestamp": ctx.now}
    ctx.store.put_record(PHONE_KIND, ctx.tenant, ctx.tenant, document)


HANDLERS: dict[str, Handler] = {
    "GetGlobalSettings": get_global_settings,
    "UpdateGlobalSettings": update_global_settings,
    "GetPhoneNumberSettings": get_phone_number_settings,
    "UpdatePhoneNumberSettings": update_phone_number_settings,
}
