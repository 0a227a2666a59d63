"""Chat bots of Enterprise accounts and their outbound events configuration (decisions 22).

A bot gets an email in one of the account's domains (``<name>-chimebot@<domain>``), a display name
ending in `` (Bot)``, and a 40-character security token; an account holds at most
:data:`BOT_LIMIT` bots, which cannot be deleted (only disabled). Endpoint verification (the HTTPS
challenge of the real service) is off by default; ``Config.verify_bot_endpoints`` switches it on.
"""

from __future__ import annotations

import json
import secrets
import string
import urllib.error
import urllib.request
from typing import cast

from chime_local.errors import (
    BadRequestException,
    NotFoundException,
    ResourceLimitExceededException,
)
from chime_local.model import shapes
from chime_local.model.enums import BotType
from chime_local.service.context import Handler, Preparer, RequestContext, new_id
from chime_local.service.lookup import require_enterprise_account
from chime_local.service.pagination import page_rows, page_scope
from chime_local.store import kinds
from chime_local.store.base import Doc

BOT_KIND = kinds.BOT
EVENTS_KIND = kinds.BOT_EVENTS
BOT_LIMIT = 10
DEFAULT_PAGE_SIZE = 10
_TOKEN_ALPHABET = string.ascii_letters + string.digits + "+/"


def security_token() -> str:
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(40))


def require_bot(ctx: RequestContext, account_id: str, bot_id: str, operation: str) -> Doc:
    require_enterprise_account(ctx, account_id, operation)
    bot = ctx.store.get_record(BOT_KIND, bot_id, scope=account_id)
    if bot is None:
        raise NotFoundException(f"Bot '{bot_id}' not found in account '{account_id}'")
    return bot


def _save(ctx: RequestContext, account_id: str, bot: Doc) -> None:
    ctx.store.put_record(BOT_KIND, account_id, bot["BotId"], bot)


def create_bot(ctx: RequestContext, params: shapes.CreateBotRequest) -> shapes.CreateBotResponse:
    account = require_enterprise_account(ctx, params["AccountId"], "CreateBot")
    domains = account.get("Domains", [])
    domain = params.get("Domain") or (domains[0] if domains else None)
    if domain is None:
        raise BadRequestException(f"Account '{account['AccountId']}' has no domain for bot emails")
    if domain not in domains:
        raise BadRequestException(f"Domain '{domain}' is not a domain of the account")
    if ctx.store.count_records(BOT_KIND, account["AccountId"]) >= BOT_LIMIT:
        raise ResourceLimitExceededException(f"An account can have at most {BOT_LIMIT} bots")
    name = params["DisplayName"]
    bot_id = new_id()
    bot = {
        "BotId": bot_id,
        "UserId": bot_id,
        "DisplayName": f"{name} (Bot)",
        "BotType": BotType.CHAT_BOT,
        "Disabled": False,
        "CreatedTimestamp": ctx.now,
        "UpdatedTimestamp": ctx.now,
        "BotEmail": f"{name.replace(' ', '')}-chimebot@{domain}",
        "SecurityToken": security_token(),
    }
    _save(ctx, account["AccountId"], bot)
    return {"Bot": bot}


def get_bot(ctx: RequestContext, params: shapes.GetBotRequest) -> shapes.GetBotResponse:
    return {"Bot": require_bot(ctx, params["AccountId"], params["BotId"], "GetBot")}


def list_bots(ctx: RequestContext, params: shapes.ListBotsRequest) -> shapes.ListBotsResponse:
    account = require_enterprise_account(ctx, params["AccountId"], "ListBots")
    rows = ctx.store.scope_records(BOT_KIND, account["AccountId"])
    scope = page_scope("ListBots", account["AccountId"])
    limit = params.get("MaxResults", DEFAULT_PAGE_SIZE)
    page = page_rows(ctx.tokens, scope, "Bots", rows, params.get("NextToken"), limit)
    return cast(shapes.ListBotsResponse, page)


def update_bot(ctx: RequestContext, params: shapes.UpdateBotRequest) -> shapes.UpdateBotResponse:
    bot = require_bot(ctx, params["AccountId"], params["BotId"], "UpdateBot")
    if params.get("Disabled") is not None:
        bot["Disabled"] = params["Disabled"]
    bot["UpdatedTimestamp"] = ctx.now
    _save(ctx, params["AccountId"], bot)
    return {"Bot": bot}


def regenerate_security_token(
    ctx: RequestContext, params: shapes.RegenerateSecurityTokenRequest
) -> shapes.RegenerateSecurityTokenResponse:
    bot = require_bot(ctx, params["AccountId"], params["BotId"], "RegenerateSecurityToken")
    bot["SecurityToken"] = security_token()
    bot["UpdatedTimestamp"] = ctx.now
    _save(ctx, params["AccountId"], bot)
    return {"Bot": bot}


def put_events_configuration(
    ctx: RequestContext, params: shapes.PutEventsConfigurationRequest
) -> shapes.PutEventsConfigurationResponse:
    bot = require_bot(ctx, params["AccountId"], params["BotId"], "PutEventsConfiguration")
    endpoint, function = params.get("OutboundEventsHTTPSEndpoint"), params.get("LambdaFunctionArn")
    if (endpoint is None) == (function is None):
        raise BadRequestException(
            "Give exactly one of OutboundEventsHTTPSEndpoint and LambdaFunctionArn"
        )
    configuration = {"BotId": bot["BotId"]}
    configuration |= (
        {"OutboundEventsHTTPSEndpoint": endpoint} if endpoint else {"LambdaFunctionArn": function}
    )
    ctx.store.put_record(EVENTS_KIND, params["AccountId"], bot["BotId"], configuration)
    return {"EventsConfiguration": configuration}


def verify_events_endpoint(
    ctx: RequestContext, params: shapes.PutEventsConfigurationRequest
) -> None:
    """Before PutEventsConfiguration's transaction: the bot must exist (read in a transaction
    of its own), then its new HTTPS endpoint must answer the challenge, when that is switched on."""
    endpoint = params.get("OutboundEventsHTTPSEndpoint")
    if endpoint is None or not ctx.config.verify_bot_endpoints:
        return
    with ctx.store.transaction(write=False):
        require_bot(ctx, params["AccountId"], params["BotId"], "PutEventsConfiguration")
    verify_endpoint(endpoint)


def verify_endpoint(endpoint: str) -> None:
    """POST the verification challenge and expect it echoed back with 200, as Chime does."""
    challenge = secrets.token_urlsafe(32)
    body = json.dumps({"Challenge": challenge, "EventType": "HTTPSEndpointVerification"})
    request = urllib.request.Request(endpoint, data=body.encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            echoed = json.loads(response.read()).get("Challenge")
    except (urllib.error.URLError, ValueError, OSError, AttributeError) as exc:
        raise BadRequestException(f"Endpoint verification of {endpoint} failed: {exc}") from None
    if echoed != challenge:
        raise BadRequestException(f"Endpoint {endpoint} did not echo the verification challenge")


def get_events_configuration(
    ctx: RequestContext, params: shapes.GetEventsConfigurationRequest
) -> shapes.GetEventsConfigurationResponse:
    bot = require_bot(ctx, params["AccountId"], params["BotId"], "GetEventsConfiguration")
    configuration = ctx.store.get_record(EVENTS_KIND, bot["BotId"])
    if configuration is None:
        raise NotFoundException(f"Bot '{bot['BotId']}' has no events configuration")
    return {"EventsConfiguration": configuration}


def delete_events_configuration(
    ctx: RequestContext, params: shapes.DeleteEventsConfigurationRequest
) -> None:
    bot = require_bot(ctx, params["AccountId"], params["BotId"], "DeleteEventsConfiguration")
    ctx.store.delete_record(EVENTS_KIND, bot["BotId"])


BEFORE_TRANSACTION: dict[str, Preparer] = {"PutEventsConfiguration": verify_events_endpoint}

HANDLERS: dict[str, Handler] = {
    "CreateBot": create_bot,
    "GetBot": get_bot,
    "ListBots": list_bots,
    "UpdateBot": update_bot,
    "RegenerateSecurityToken": regenerate_security_token,
    "PutEventsConfiguration": put_events_configuration,
    "GetEventsConfiguration": get_events_configuration,
    "DeleteEventsConfiguration": delete_events_configuration,
}
