"""Exporting the whole state as a seed document (the inverse of the loader, field for field)."""

from __future__ import annotations

from typing import Any

from chime_local.seed.fields import (
    ACCOUNT_FIELDS,
    ACCOUNT_SETTINGS,
    ALEXA_FIELDS,
    STATE_OF_STATUS,
    TELEPHONY_SETTINGS,
    USER_FIELDS,
)
from chime_local.seed.records import export_records, tenant_ids
from chime_local.store.base import Doc, Store


def export_state(store: Store) -> dict[str, Any]:
    tenants = [
        {"aws_account_id": tenant, **export_records(store, "tenant", tenant)}
        for tenant in tenant_ids(store)
    ]
    accounts = []
    for doc, settings, deleted in store.all_accounts():
        account = _account(doc, settings, deleted)
        account["users"] = [_user(*row) for row in store.account_users(doc["AccountId"])]
        account.update(export_records(store, "account", doc["AccountId"]))
        accounts.append(account)
    document: dict[str, Any] = {"version": 1}
    if tenants:
        document["tenants"] = tenants
    document["accounts"] = accounts
    return document


def _account(doc: Doc, settings: Doc, deleted: str | None) -> dict[str, Any]:
    account = {key: doc[wire] for key, wire in ACCOUNT_FIELDS if doc.get(wire) is not None}
    account["signin_delegate_groups"] = [g["GroupName"] for g in doc["SigninDelegateGroups"]]
    account["settings"] = {
        key: settings[wire] for key, wire in ACCOUNT_SETTINGS if wire in settings
    }
    if deleted:
        account["deleted"] = deleted
    return account


def _user(doc: Doc, settings: Doc, private: Doc) -> dict[str, Any]:
    user = {key: doc[wire] for key, wire in USER_FIELDS if doc.get(wire) is not None}
    user["state"] = STATE_OF_STATUS[doc["UserRegistrationStatus"]]
    alexa = doc.get("AlexaForBusinessMetadata", {})
    user["alexa_for_business"] = {key: alexa[wire] for key, wire in ALEXA_FIELDS if wire in alexa}
    telephony = settings["Telephony"]
    user["settings"] = {key: telephony[wire] for key, wire in TELEPHONY_SETTINGS}
    if "LastLogoutAt" in private:
        user["last_logout"] = private["LastLogoutAt"]
    return user
