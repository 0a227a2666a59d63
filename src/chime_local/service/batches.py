"""Batch operations answer 200 and list each item that failed, as ``{<Id member>, ErrorCode,
ErrorMessage}`` (``UserErrors``, ``PhoneNumberErrors``, ``Errors``): one shape for all of them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from chime_local.errors import ChimeError
from chime_local.store.base import Doc

Item = TypeVar("Item")


def item_errors(
    items: Iterable[tuple[str, Item]], id_member: str, action: Callable[[str, Item], None]
) -> list[Doc]:
    """Run ``action`` on every (id, item); a modeled error fails that item only."""
    errors: list[Doc] = []
    for item_id, item in items:
        try:
            action(item_id, item)
        except ChimeError as error:
            errors.append(
                {id_member: item_id, "ErrorCode": error.code, "ErrorMessage": error.message}
            )
    return errors
