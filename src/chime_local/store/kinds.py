"""One registry of the record kinds kept in the ``records`` table and what each is scoped by.

The low-volume resources share one table keyed by (kind, record id) and grouped by a scope: the
tenant (AWS account), the Chime account, or the room. Service, seed and admin code name a kind
only through these constants, so a kind's string and its scope are written once.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType


class Scope(StrEnum):
    TENANT = "tenant"
    ACCOUNT = "account"
    ROOM = "room"


PHONE_NUMBER = "phone-number"
PHONE_NUMBER_ORDER = "phone-number-order"
GLOBAL_SETTINGS = "global-settings"
PHONE_NUMBER_SETTINGS = "phone-number-settings"
ROOM = "room"
ROOM_TOKEN = "room-token"
ROOM_MEMBERSHIP = "room-membership"
BOT = "bot"
BOT_EVENTS = "bot-events"
RETENTION_SETTINGS = "retention-settings"

KINDS: MappingProxyType[str, Scope] = MappingProxyType(
    {
        PHONE_NUMBER: Scope.TENANT,
        PHONE_NUMBER_ORDER: Scope.TENANT,
        GLOBAL_SETTINGS: Scope.TENANT,
        PHONE_NUMBER_SETTINGS: Scope.TENANT,
        ROOM: Scope.ACCOUNT,
        ROOM_TOKEN: Scope.ACCOUNT,
        ROOM_MEMBERSHIP: Scope.ROOM,
        BOT: Scope.ACCOUNT,
        BOT_EVENTS: Scope.ACCOUNT,
        RETENTION_SETTINGS: Scope.ACCOUNT,
    }
)
