"""The Chime operations, one module per resource; ``HANDLERS`` maps operation names to them.

An operation of the model that is absent here answers 501 ``NotImplemented``.
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
from chime_local.service.context import Handler

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
