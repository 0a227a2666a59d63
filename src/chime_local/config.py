"""Emulator configuration: one immutable value built by the CLI or by tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from chime_local.auth.credentials import Credential
from chime_local.guards import FaultRule

DEFAULT_TENANT = "123456789012"


@dataclass(frozen=True)
class Config:
    db_path: str | None = None  # None: in memory
    durable: bool = False  # fsync every commit (survives an OS crash, not only a process crash)
    lock_wait_seconds: float = 10.0  # SQLite: longest wait for another process's write lock
    default_tenant: str = DEFAULT_TENANT
    log_requests: bool = True
    credentials: dict[str, Credential] | None = None  # strict mode when set
    rate_limit: float | None = None  # requests per second per access key
    admin_token: str | None = None  # required by the admin API when set
    admin_hosts: frozenset[str] | None = None  # Host values the admin API answers; None: any
    faults: tuple[FaultRule, ...] = field(default_factory=tuple)
    phone_number_quota: int = 25  # numbers per tenant inventory (deleted ones do not count)
    phone_number_order_delay: float = 0.0  # seconds an order stays Processing (server clock)
    verify_bot_endpoints: bool = False  # POST the HTTPS challenge before accepting an endpoint
    # Limits of the HTTP server (README "Limits")
    max_body_bytes: int = 4 * 1024 * 1024  # a Chime request body; nothing legitimate comes near
    max_admin_body_bytes: int = 256 * 1024 * 1024  # an admin request body (seed documents)
    max_header_bytes: int = 64 * 1024  # request line and headers
    request_read_timeout: float = 10.0  # seconds for a request to arrive, head and body
    idle_timeout: int = 5  # seconds a kept-alive connection may wait for its next request
    max_connections: int = 1024  # connections served at once; requests beyond: 503
