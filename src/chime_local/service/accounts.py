"""Chime accounts: create, read, list, update, delete, and account settings (decisions 10-12)."""

from __future__ import annotations

from typing import cast

from chime_local.auth.permissions import visible_accounts
from chime_local.errors import UnprocessableEntityException
from chime_local.model import shapes
from chime_local.model.enums import AccountStatus, License
from chime_local.service.context import Handler, RequestContext, new_id
from chime_local.service.lookup import TEAM, require_account, require_supported_license
from chime_local.service.pagination import page_scope, paged
from chime_local.service.phone_assignment import release_user_number
from chime_local.service.users import SUSPENDED
from chime_local.store.base import Doc

DEFAULT_PAGE_SIZE = 100
DEFAULT_ACCOUNT_SETTINGS: Doc = {"DisableRemoteControl": False, "EnableDialOut": False}


def account_document(tenant: str, name: str, now: str, account_type: str = TEAM) -> Doc:
    """A new account as CreateAccount makes it (decisions 10); seeds start from it too."""
    return {
        "AwsAccountId": tenant,
        "AccountId": new_id(),
        "Name": name,
        "AccountType": account_type,
        "CreatedTimestamp": now,
        "DefaultLicense": License.PRO,
        "SupportedLicenses": [License.BASIC, License.PRO],
        "AccountStatus": AccountStatus.ACTIVE,
        "SigninDelegateGroups": [],
    }


def default_account_settings() -> Doc:
    return dict(DEFAULT_ACCOUNT_SETTINGS)


def new_account(
    ctx: RequestContext, name: str, account_type: str = TEAM, domains: list[str] | None = None
) -> Doc:
    """Build and store an account of the caller's tenant; the Chime API makes Team accounts,
    the admin API any type, with the domains bots take their email addresses from."""
    account = account_document(ctx.tenant, name, ctx.now, account_type)
    if domains:
        account["Domains"] = domains
    ctx.store.insert_account(ctx.tenant, account, default_account_settings())
    return account


def create_account(
    ctx: RequestContext, params: shapes.CreateAccountRequest
) -> shapes.CreateAccountResponse:
    return {"Account": new_account(ctx, params["Name"])}


def get_account(ctx: RequestContext, params: shapes.GetAccountRequest) -> shapes.GetAccountResponse:
    return {"Account": require_account(ctx, params["AccountId"])}


def update_account(
    ctx: RequestContext, params: shapes.UpdateAccountRequest
) -> shapes.UpdateAccountResponse:
    account = require_account(ctx, params["AccountId"])
    if "Name" in params:
        account["Name"] = params["Name"]
    if "DefaultLicense" in params:
        require_supported_license(account, "DefaultLicense", params["DefaultLicense"])
        account["DefaultLicense"] = params["DefaultLicense"]
    ctx.store.save_account(account)
    return {"Account": account}


def delete_account(
    ctx: RequestContext, params: shapes.DeleteAccountRequest
) -> shapes.DeleteAccountResponse:
    account = require_account(ctx, params["AccountId"])
    if account["AccountType"] == TEAM:
        remaining = ctx.store.count_users(account["AccountId"])
        rule = "remove them with BatchSuspendUser first"
    else:
        remaining = ctx.store.count_users(account["AccountId"], excluding_status=SUSPENDED)
        rule = "suspend them first"
    if remaining:
        raise UnprocessableEntityException(
            f"Account '{account['AccountId']}' still has {remaining} active user(s); {rule}"
        )
    for user, _, _ in ctx.store.account_users(account["AccountId"]):
        release_user_number(ctx, user)
    ctx.store.mark_account_deleted(account["AccountId"], ctx.now)
    return {}


def list_accounts(
    ctx: RequestContext, params: shapes.ListAccountsRequest
) -> shapes.ListAccountsResponse:
    name, email = params.get("Name"), params.get("UserEmail")
    scope = page_scope("ListAccounts", name, email and email.lower())
    page = ctx.store.list_accounts(
        ctx.tenant,
        after=ctx.tokens.decode(scope, params.get("NextToken")),
        limit=params.get("MaxResults", DEFAULT_PAGE_SIZE),
        name_prefix=name,
        member_email=email,
    )
    items = page.items
    visible = visible_accounts(ctx.config.credentials, ctx.caller.access_key)
    if visible is not None:  # a page may hold fewer items; the token still follows the store's
        items = [account for account in items if account["AccountId"] in visible]
    answer = paged(ctx.tokens, scope, "Accounts", items, page.last_seq)
    return cast(shapes.ListAccountsResponse, answer)


def get_account_settings(
    ctx: RequestContext, params: shapes.GetAccountSettingsRequest
) -> shapes.GetAccountSettingsResponse:
    account = require_account(ctx, params["AccountId"])
    return {"AccountSettings": ctx.store.get_account_settings(account["AccountId"])}


def update_account_settings(
    ctx: RequestContext, params: shapes.UpdateAccountSettingsRequest
) -> shapes.UpdateAccountSettingsResponse:
    account = require_account(ctx, params["AccountId"])
    settings = ctx.store.get_account_settings(account["AccountId"])
    settings.update(params["AccountSettings"])
    ctx.store.save_account_settings(account["AccountId"], settings)
    return {}


HANDLERS: dict[str, Handler] = {
    "CreateAccount": create_account,
    "GetAccount": get_account,
    "UpdateAccount": update_account,
    "DeleteAccount": delete_account,
    "ListAccounts": list_accounts,
    "GetAccountSettings": get_account_settings,
    "UpdateAccountSettings": update_account_settings,
}
