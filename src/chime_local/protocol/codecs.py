"""The wire codecs, compiled from the model once per process and shared by every emulator.

The router's tables are built from the operations up front; the validator and the serializer
compile each shape the first time a request needs it and keep it. All of it derives from the
immutable model alone, so the emulators of a process (a fresh one per ``mock_chime`` block or
test) share it instead of rebuilding it; their state stays on each emulator.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from chime_local.protocol.api import load_api
from chime_local.protocol.router import Router
from chime_local.protocol.serializer import Serializer
from chime_local.protocol.validator import Validator


@dataclass(frozen=True, slots=True)
class Codecs:
    router: Router
    validator: Validator
    serializer: Serializer


@functools.cache
def compiled_codecs() -> Codecs:
    return Codecs(Router(load_api().operations.values()), Validator(), Serializer())
