"""Where each keyed record kind lives in a seed document, for export and load alike.

These records are kept in the API's own shape (the members ``get_phone_number``, ``get_room``,
``get_bot`` ... return), so a seed carries them as the API shows them. One table drives both
directions, so export and load cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chime_local.service import account_extras, bots, phone_catalog, phone_numbers, rooms
from chime_local.service import tenant_settings as settings
from chime_local.store.base import Doc, Store


@dataclass(frozen=True)
class Place:
    kind: str
    owner: str  # "tenant" or "account": which seed entry holds it
    key: str  # the seed key under that entry
    single: bool  # one document, or a list of them
    record_id: Callable[[Doc, str], str]  # (doc, owner id) -> record id
    scope: Callable[[Doc, str], str]  # (doc, owner id) -> scope
    complete: Callable[[Doc, str], Doc] | None = None  # fills what a hand-written seed leaves out


def _owner(doc: Doc, owner: str) -> str:
    return owner


def _field(name: str) -> Callable[[Doc, str], str]:
    return lambda doc, owner: str(doc[name])


def _number_id(doc: Doc, owner: str) -> str:
    return phone_numbers.number_key(doc["E164PhoneNumber"])


def _membership_id(doc: Doc, owner: str) -> str:
    return rooms.membership_key(doc["RoomId"], doc["MemberId"])


PLACES = (
    Place(phone_numbers.KIND, "tenant", "phone_numbers", False, _number_id, _owner,
          phone_catalog.complete_number),
    Place(phone_catalog.ORDER_KIND, "tenant", "phone_number_orders", False,
          _field("PhoneNumberOrderId"), _owner),
    Place(settings.GLOBAL_KIND, "tenant", "global_settings", True, _owner, _owner),
    Place(settings.PHONE_KIND, "tenant", "phone_number_settings", True, _owner, _owner),
    Place(rooms.ROOM_KIND, "account", "rooms", False, _field("RoomId"), _owner),
    Place(rooms.MEMBERSHIP_KIND, "account", "room_memberships", False, _membership_id,
          _field("RoomId")),
    Place(bots.BOT_KIND, "account", "bots", False, _field("BotId"), _owner),
    Place(bots.EVENTS_KIND, "account", "bot_events", False, _field("BotId"), _owner),
    Place(account_extras.RETENTION_KIND, "account", "retention_settings", True, _owner, _owner),
)  # fmt: skip


def export_records(store: Store, owner: str, owner_id: str) -> dict[str, Any]:
    """The records of one tenant or account, under their seed keys (empty ones left out)."""
    found: dict[str, Any] = {}
    for place in PLACES:
        if place.owner != owner:
            continue
        docs = [
            doc
            for scope, doc in store.kind_records(place.kind)
            if _belongs(place, doc, scope, owner_id)
        ]
        if docs:
            found[place.key] = docs[0] if place.single else docs
    return found


def _belongs(place: Place, doc: Doc, scope: str, owner_id: str) -> bool:
    """Memberships are scoped by room; they carry their account."""
    if place.kind == rooms.MEMBERSHIP_KIND:
        return bool(doc.get("AccountId") == owner_id)
    return scope == owner_id


def load_records(store: Store, entry: dict[str, Any], owner: str, owner_id: str, now: str) -> int:
    """Store the records a seed entry carries; returns how many."""
    count = 0
    for place in PLACES:
        if place.owner != owner or place.key not in entry:
            continue
        docs = [entry[place.key]] if place.single else entry[place.key]
        for given in docs:
            doc = place.complete(given, now) if place.complete else given
            if place.kind in (rooms.ROOM_KIND, rooms.MEMBERSHIP_KIND):
                doc = {**doc, "AccountId": owner_id}
            if place.kind == rooms.ROOM_KIND:
                rooms.save_room(store, doc)  # also restores its idempotency token
            else:
                record_id = place.record_id(doc, owner_id)
                store.put_record(place.kind, place.scope(doc, owner_id), record_id, doc)
            count += 1
    return count


def tenant_ids(store: Store) -> list[str]:
    """Every tenant that holds tenant-level records."""
    found: set[str] = set()
    for place in PLACES:
        if place.owner == "tenant":
            found.update(scope for scope, _ in store.kind_records(place.kind))
    return sorted(found)
