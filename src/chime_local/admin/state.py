"""The emulator as the admin side sees it: a small facade, declared here, met by the emulator.

The admin API and the console call only these members. Declaring them as a protocol on the admin
side keeps the dependency one way: the emulator does not import the admin side, and the admin
side does not import the emulator (a test checks the import graph).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from chime_local.clock import Clock
from chime_local.config import Config
from chime_local.guards import FaultInjector
from chime_local.protocol.api import ChimeApi
from chime_local.protocol.http import HttpRequest, HttpResponse
from chime_local.protocol.serializer import Serializer
from chime_local.protocol.validator import Validator
from chime_local.seed import SeedResult
from chime_local.service.context import Caller, RequestContext
from chime_local.store import Store, StoreError
from chime_local.store.base import Doc


class EmulatorState(Protocol):
    config: Config
    api: ChimeApi
    store: Store
    clock: Clock
    faults: FaultInjector
    validator: Validator
    serializer: Serializer

    def new_request_id(self) -> str: ...
    def begin(self, may_block: bool, *, sync: bool = True) -> None: ...
    def store_failure_response(self, error: StoreError, request_id: str) -> HttpResponse: ...
    def log_line(
        self, request: HttpRequest, operation: str, response: HttpResponse, began: float, rid: str
    ) -> None: ...
    def context(
        self, caller: Caller | None = None, moment: datetime | None = None
    ) -> RequestContext: ...
    def health(self) -> dict[str, Any]: ...
    def reset(self) -> None: ...
    def seed(
        self, document: dict[str, Any], progress: Any = None, *, replace: bool = False
    ) -> SeedResult: ...
    def export(self) -> dict[str, Any]: ...
    def accept_invitation(self, account_id: str, user_id: str) -> Doc: ...
    def recent_calls(self, limit: int = 100) -> list[dict[str, Any]]: ...
