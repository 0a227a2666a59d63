"""What a handler gets besides its parameters: the caller, the store, the config, the time.

Handlers are plain functions ``handler(ctx, params) -> dict`` over wire-shaped data; they never
parse a request or write JSON. Each is typed by its operation's generated input and output
shapes (``chime_local.model.shapes``); the table of handlers sees them as ``Handler``.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chime_local.clock import wire_time
from chime_local.config import Config
from chime_local.service.pagination import TokenCodec
from chime_local.store.base import Store


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: the access key, the AWS account it belongs to (the tenant), its ARN."""

    access_key: str
    tenant: str
    user_name: str = "chime-local"

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.tenant}:user/{self.user_name}"


@dataclass(slots=True)
class RequestContext:
    caller: Caller
    store: Store
    config: Config
    tokens: TokenCodec
    moment: datetime  # the request's instant, read once so a whole request sees one time
    _now: str | None = None

    @property
    def tenant(self) -> str:
        return self.caller.tenant

    @property
    def now(self) -> str:
        """The request's instant in wire format (formatted on first use; reads rarely need it)."""
        if self._now is None:
            self._now = wire_time(self.moment)
        return self._now


# Any: each handler takes its own operation's input TypedDict (the validated parameters).
Handler = Callable[[RequestContext, Any], Mapping[str, Any] | None]
# A step that runs before the handler's transaction opens (it may wait on the network).
Preparer = Callable[[RequestContext, Any], None]


def record(value: Mapping[str, Any]) -> dict[str, Any]:
    """A validated input structure as a store record (a shallow copy)."""
    return dict(value)


def new_id() -> str:
    """A lowercase UUIDv4, the format of every Chime identifier (decisions 5)."""
    return str(uuid.uuid4())


def random_pin() -> str:
    """A 10-digit personal meeting PIN, not yet checked for uniqueness."""
    return f"{secrets.randbelow(10**10):010d}"


def new_pin(previous: str | None = None) -> str:
    """A 10-digit personal meeting PIN, different from ``previous``. Unique across the server
    by the store's constraint: a write of a PIN already taken runs the request's transaction
    again (:class:`~chime_local.store.DrawnKeyTaken`), which draws another."""
    while True:
        pin = random_pin()
        if pin != previous:
            return pin
