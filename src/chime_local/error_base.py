"""The base of every error a client is meant to see; the classes themselves are generated.

``errors.py`` (generated from the model by ``scripts/generate_model_code.py``) defines one
subclass per modeled error shape and the front end's own; this base holds their behaviour.
"""

from __future__ import annotations

from typing import ClassVar


class ChimeError(Exception):
    """An error the client is meant to see. ``shape`` goes into ``x-amzn-ErrorType``."""

    shape: ClassVar[str] = "ServiceFailureException"
    status: ClassVar[int] = 500
    code: ClassVar[str] = "ServiceFailure"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
