"""The Chime operations, one module per resource; ``HANDLERS`` maps operation names to them.

An operation of the model that is absent here answers 501 ``NotImplemented``.
"""

from chime_local.service import accounts, user_batches, users
from chime_local.service.context import Handler

HANDLERS: dict[str, Handler] = {
    **accounts.HANDLERS,
    **users.HANDLERS,
    **user_batches.HANDLERS,
}
