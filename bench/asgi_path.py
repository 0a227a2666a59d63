"""GetUser through the ASGI application, no socket: the cost of the request path alone.

``python -m bench.asgi_path`` prints the best of five rounds of 20,000 calls. Run it on two
checkouts (``PYTHONPATH=<other checkout>/src``) for a quick A/B of a change to the request path,
such as mounting the admin application beside the Chime API.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from chime_local.config import Config
from chime_local.emulator import Emulator
from chime_local.server.asgi import AsgiApp

TENANT = "123456789012"
AUTH = (
    f"AWS4-HMAC-SHA256 Credential={TENANT}/20260101/us-east-1/chime/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0000"
)
CALLS, ROUNDS = 20_000, 5


def get_user_scope(emulator: Emulator) -> dict[str, Any]:
    emulator.seed(
        {
            "version": 1,
            "accounts": [
                {"name": "A", "aws_account_id": TENANT, "users": [{"email": "a@example.com"}]}
            ],
        }
    )
    account = emulator.export()["accounts"][0]
    path = f"/accounts/{account['id']}/users/{account['users'][0]['id']}"
    headers = [(b"host", b"127.0.0.1:8000"), (b"authorization", AUTH.encode())]
    headers.append((b"x-amz-date", b"20260101T000000Z"))
    return {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(),
            "query_string": b"", "headers": headers}  # fmt: skip


def main() -> None:
    emulator = Emulator(Config(log_requests=False))
    app = AsgiApp(emulator)
    scope = get_user_scope(emulator)
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async def run(calls: int) -> None:
        for _ in range(calls):
            await app(scope, receive, send)

    asyncio.run(run(10))
    assert statuses[-1] == 200, statuses[-1]
    best = 0.0
    for _ in range(ROUNDS):
        began = time.perf_counter()
        asyncio.run(run(CALLS))
        best = max(best, CALLS / (time.perf_counter() - began))
    print(f"GetUser through the ASGI app: {best:,.0f} calls/s (best of {ROUNDS} x {CALLS:,})")
    emulator.close()


if __name__ == "__main__":
    main()
