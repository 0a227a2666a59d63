"""The practical limit: a bare ASGI app returning a fixed ~430-byte body, on uvicorn + uvloop +
httptools, either with uvicorn's own protocol (``stock``) or with chime-local's batching one
(``batching``), the exact server stack of ``chime-local serve``."""

from __future__ import annotations

import sys
from typing import Any

import uvicorn

from chime_local.server.batching import BatchingHttpToolsProtocol

BODY = (
    b'{"User":{"UserId":"' + b"0" * 36 + b'","AccountId":"' + b"1" * 36 + b'",'
    b'"PrimaryEmail":"jane.doe@example.com","DisplayName":"jane.doe","LicenseType":"Pro",'
    b'"UserType":"PrivateUser","UserRegistrationStatus":"Registered",'
    b'"RegisteredOn":"2026-11-30T00:00:00.000Z","AlexaForBusinessMetadata":'
    b'{"IsAlexaForBusinessEnabled":false},"PersonalPIN":"0123456789"}}'
)
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        loop="uvloop",
        http=BatchingHttpToolsProtocol if sys.argv[2] == "batching" else "httptools",
        log_level="warning",
        access_log=False,
        lifespan="off",
    )
