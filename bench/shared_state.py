"""What each piece of shared server state costs a request, in a tight loop in this process.

The request is the signed GetUser of the HTTP figures, on the same 1,000-user SQLite file,
through :meth:`Emulator.handle` (the whole pipeline, request logging to stderr off). Figures:

* ``pipeline_us``: the pipeline as served by default: the state-version check (clock and fault
  rules cached), the request-log entry recorded and written in batches by the log's thread;
* ``pipeline_rate_limited_us``: the same with ``--rate-limit`` (a token taken from the key's
  bucket row: one write transaction per request);
* ``pipeline_fault_rule_us``: the same with a fault rule of another access key in place (read
  from the cache, never written);
* ``version_check_us``, ``rate_token_us``, ``log_entry_us``: each piece alone (a log entry:
  recorded, described and written in a batch of 64).

Times are CPU time of this process (the log's writer thread included), which a busy machine
disturbs less than wall time. ``python -m bench.shared_state`` prints them in about a minute.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.http_figures import CREDENTIALS, chime_requests, seeded_store
from bench.split import _as_request
from chime_local import Emulator
from chime_local.auth.credentials import load_credentials
from chime_local.config import Config
from chime_local.request_log import BATCH, Call
from chime_local.store.state import FaultRule


def _microseconds(call: Callable[[], Any], calls: int) -> float:
    for _ in range(500):
        call()
    best = float("inf")
    for _ in range(3):
        began = time.process_time()
        for _ in range(calls):
            call()
        best = min(best, (time.process_time() - began) / calls * 1e6)
    return best


def _pipeline(config: Config, calls: int, rule: FaultRule | None = None) -> float:
    emulator = Emulator(config)
    try:
        if rule is not None:
            emulator.faults.add(rule)
        request = _as_request(chime_requests("http://127.0.0.1:8000", "GetUser")[0])
        assert emulator.handle(request).status == 200
        return _microseconds(lambda: emulator.handle(request), calls)
    finally:
        emulator.close()


def _pieces(config: Config, calls: int) -> dict[str, float]:
    emulator = Emulator(config)
    state, log = emulator.state, emulator.calls
    operation = emulator.api.operations["GetUser"]
    params = {"AccountId": "0a0a0a0a", "UserId": "0b0b0b0b"}
    call = Call(datetime.now(UTC), "AKID", operation, params, 200, None, "rid")

    def log_batch() -> None:
        for _ in range(BATCH):
            log.record(call)
        log.flush()

    try:
        return {
            "version_check_us": _microseconds(state.version, calls),
            "rate_token_us": _microseconds(
                lambda: state.take_rate_token("AKID", 1e9, time.time()), calls
            ),
            "log_entry_us": _microseconds(log_batch, calls // BATCH) / BATCH,
        }
    finally:
        emulator.close()


def measure(calls: int = 10_000) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        credentials = directory / "credentials.toml"
        credentials.write_text(CREDENTIALS)
        db = seeded_store(directory, 1000)
        base = Config(
            db_path=str(db), credentials=load_credentials(credentials), log_requests=False
        )
        other_key = FaultRule("*", "ServiceFailureException", count=1, access_key="someone-else")
        return {
            "pipeline_us": _pipeline(base, calls),
            "pipeline_rate_limited_us": _pipeline(
                Config(**{**base.__dict__, "rate_limit": 1e9}), calls
            ),
            "pipeline_fault_rule_us": _pipeline(base, calls, other_key),
            **_pieces(base, calls),
        }


if __name__ == "__main__":
    for name, value in measure().items():
        print(f"{name:28} {value:8.1f}")
