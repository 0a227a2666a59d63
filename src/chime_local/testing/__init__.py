"""Helpers for test suites: in-process mode (no server) and a real server in a subprocess."""

from chime_local.testing.inprocess import MockChime, MockChimeError, mock_chime
from chime_local.testing.server import ServerProcess

__all__ = ["MockChime", "MockChimeError", "ServerProcess", "mock_chime"]
