"""Where the state commands of the CLI act: a database file directly, or a running server.

Both targets offer the same four operations, so each CLI command is one call on either.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any, Protocol

from chime_local.config import Config
from chime_local.emulator import Emulator
from chime_local.seed.loader import Progress, SeedResult


class StateTarget(Protocol):
    def seed(
        self, document: dict[str, Any], progress: Progress | None = None, *, replace: bool = False
    ) -> SeedResult: ...
    def export(self) -> dict[str, Any]: ...
    def reset(self) -> None: ...
    def accept_invitation(self, account_id: str, user_id: str) -> dict[str, Any]: ...
    def close(self) -> None: ...


class AdminRequestError(RuntimeError):
    """The admin API refused a request; the message is the server's."""


class EndpointError(RuntimeError):
    """Nothing answers at the endpoint, or what answers is not a chime-local server."""


def local_target(db_path: str) -> Emulator:
    return Emulator(Config(db_path=db_path, log_requests=False))


class RemoteTarget:
    """The admin API of a running server."""

    def __init__(self, endpoint: str, admin_token: str | None = None) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.admin_token = admin_token

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.endpoint}/_chime_local/{path}", data=data, method=method
        )
        request.add_header("Content-Type", "application/json")
        if self.admin_token:
            request.add_header("Authorization", f"Bearer {self.admin_token}")
        try:
            with urllib.request.urlopen(request, timeout=600) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            detail = _message(error.read())
            if detail is None:
                raise self._not_chime_local() from None
            raise AdminRequestError(f"{method} {path}: {error.code} {detail}") from None
        except json.JSONDecodeError:
            raise self._not_chime_local() from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise EndpointError(
                f"nothing answers at {self.endpoint} ({reason}): start 'chime-local serve' "
                "there or correct --endpoint"
            ) from None

    def _not_chime_local(self) -> EndpointError:
        return EndpointError(
            f"{self.endpoint} is not a chime-local server (its /_chime_local/ answers are not "
            "chime-local's): correct --endpoint"
        )

    def check(self) -> None:
        """Make sure a chime-local server answers at the endpoint (its health needs no token)."""
        try:
            health = self._call("GET", "health")
        except AdminRequestError:
            raise self._not_chime_local() from None
        if not isinstance(health, dict) or "Version" not in health:
            raise self._not_chime_local()

    def seed(
        self, document: dict[str, Any], progress: Progress | None = None, *, replace: bool = False
    ) -> SeedResult:
        began = time.perf_counter()
        result = self._call("POST", "seed?replace=true" if replace else "seed", document)
        if progress is not None:
            progress(result["Users"])
        return SeedResult(result["Accounts"], result["Users"], time.perf_counter() - began)

    def export(self) -> dict[str, Any]:
        document: dict[str, Any] = self._call("GET", "export")
        return document

    def reset(self) -> None:
        self._call("POST", "reset")

    def accept_invitation(self, account_id: str, user_id: str) -> dict[str, Any]:
        answer: dict[str, Any] = self._call(
            "POST", f"accounts/{account_id}/users/{user_id}/accept-invitation"
        )
        user: dict[str, Any] = answer["User"]
        return user

    def close(self) -> None:
        """Nothing to release."""


def _message(body: bytes) -> str | None:
    """The ``Message`` of an admin API error body, or ``None`` if it is not one."""
    try:
        document = json.loads(body or b"{}")
    except ValueError:
        return None
    message = document.get("Message") if isinstance(document, dict) else None
    return message if isinstance(message, str) else None
