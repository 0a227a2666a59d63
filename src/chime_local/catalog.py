"""The table of the 62 operations and their status, for the README and ``chime-local operations``.

Derived from the model and the handler table, so the README cannot drift from the code (a test
compares them).
"""

from __future__ import annotations

from chime_local.protocol.api import load_api
from chime_local.service import HANDLERS


def operations_markdown() -> str:
    api = load_api()
    done = sum(1 for name in api.operations if name in HANDLERS)
    lines = [
        f"{done} of {len(api.operations)} operations implemented.",
        "",
        "| Operation | Request | Success | Status |",
        "|---|---|---|---|",
    ]
    for name in sorted(api.operations):
        op = api.operations[name]
        query = "&".join(f"{k}={v}" for k, v in op.fixed_query)
        request = f"`{op.method} {op.path_template}{'?' + query if query else ''}`"
        status = "implemented" if name in HANDLERS else "not yet (501)"
        lines.append(f"| {name} | {request} | {op.status} | {status} |")
    return "\n".join(lines) + "\n"
