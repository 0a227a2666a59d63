"""``chime-local serve`` with a timer around each stage of a request, for ``bench.split``.

Run as a script with the ``serve`` arguments. It wraps the ASGI adapter and the emulator's
pipeline of this process only (nothing in the package changes) and, when the server stops,
prints one line to stderr::

    SPLIT requests=52441 adapter_in_us=2.9 pipeline_us=51.5 response_us=12.5

``adapter_in`` is the ASGI adapter up to the pipeline, ``pipeline`` is ``Emulator.handle``
(authentication to serialization), ``response`` is the adapter's two ``send`` calls.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from chime_local.cli import main
from chime_local.emulator import Emulator
from chime_local.server.asgi import AsgiApp

_totals = {"adapter_in": 0.0, "pipeline": 0.0, "response": 0.0, "requests": 0}
_marks = {"pipeline_began": 0.0, "pipeline_ended": 0.0}
_handle = Emulator.handle
_call = AsgiApp.__call__


def _timed_handle(self: Emulator, request: Any, may_block: bool = True) -> Any:
    _marks["pipeline_began"] = time.perf_counter()
    response = _handle(self, request, may_block)
    _marks["pipeline_ended"] = time.perf_counter()
    return response


async def _timed_call(self: AsgiApp, scope: Any, receive: Any, send: Any) -> None:
    began = time.perf_counter()
    await _call(self, scope, receive, send)
    ended = time.perf_counter()
    if scope["type"] == "http" and _marks["pipeline_began"] >= began:  # a Chime request, not admin
        _totals["adapter_in"] += _marks["pipeline_began"] - began
        _totals["pipeline"] += _marks["pipeline_ended"] - _marks["pipeline_began"]
        _totals["response"] += ended - _marks["pipeline_ended"]
        _totals["requests"] += 1


def _report() -> None:
    count = int(_totals["requests"])
    if count:
        parts = " ".join(
            f"{name}_us={_totals[name] / count * 1e6:.1f}"
            for name in ("adapter_in", "pipeline", "response")
        )
        sys.stderr.write(f"SPLIT requests={count} {parts}\n")
        sys.stderr.flush()


if __name__ == "__main__":
    Emulator.handle = _timed_handle  # type: ignore[method-assign]
    AsgiApp.__call__ = _timed_call  # type: ignore[method-assign]
    try:
        main(sys.argv[1:])
    finally:
        _report()
