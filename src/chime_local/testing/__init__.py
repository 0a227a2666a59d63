"""Helpers for test suites: a real server in a subprocess, and (see ``inprocess``) no server."""

from chime_local.testing.server import ServerProcess

__all__ = ["ServerProcess"]
