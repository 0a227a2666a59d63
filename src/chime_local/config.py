"""Emulator configuration: one immutable value built by the CLI or by tests."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_TENANT = "123456789012"


@dataclass(frozen=True, slots=True)
class Config:
    db_path: str | None = None  # None: in memory
    durable: bool = False  # fsync every commit (survives an OS crash, not only a process crash)
    default_tenant: str = DEFAULT_TENANT
    log_requests: bool = True
