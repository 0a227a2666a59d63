"""The Chime operations, one module per resource; ``HANDLERS`` maps operation names to them.

An operation of the model that is absent here answers 501 ``NotImplemented``. ``BEFORE_TRANSACTION``
maps the few operations that must wait on something outside the store (an HTTPS call) to a step
the emulator runs before the operation's transaction opens, off the event loop, so no
transaction stays open while the network is slow. ``SETTLED_ON_READ`` names the GET operations
whose handlers may write: they apply the transitions that time brings (an order completing, a
deleted number leaving the queue), so they run in a write transaction like any write, and their
read-then-write is atomic across workers and instances.
"""

from chime_local.service import (
    account_extras,
    accounts,
    bots,
    memberships,
    phone_assignment,
    phone_catalog,
    phone_numbers,
    rooms,
    tenant_settings,
    user_batches,
    users,
)
from chime_local.service.context import Handler, Preparer

HANDLERS: dict[str, Handler] = {
    **accounts.HANDLERS,
    **users.HANDLERS,
    **user_batches.HANDLERS,
    **phone_numbers.HANDLERS,
    **phone_catalog.HANDLERS,
    **phone_assignment.HANDLERS,
    **tenant_settings.HANDLERS,
    **rooms.HANDLERS,
    **memberships.HANDLERS,
    **bots.HANDLERS,
    **account_extras.HANDLERS,
}

BEFORE_TRANSACTION: dict[str, Preparer] = {**bots.BEFORE_TRANSACTION}

SETTLED_ON_READ = frozenset(
    {"GetPhoneNumber", "ListPhoneNumbers", "GetPhoneNumberOrder", "ListPhoneNumberOrders"}
)
