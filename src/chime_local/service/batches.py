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
    """Run ``action`` on every (id, item); a modeled error fails that item only.

    An item that names no id, or a blank one, gets an error without the id member: the model's
    id shapes in these answers are ``NonEmptyString`` (``.*\\S.*``), which a blank id is not."""
    errors: list[Doc] = []
    for item_id, item in items:
        try:
            action(item_id, item)
        except ChimeError as error:
            named = {id_member: item_id} if item_id.strip() else {}
            errors.append(named | {"ErrorCode": error.code, "ErrorMessage": error.message})
    return errors
