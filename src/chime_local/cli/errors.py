"""How the command fails: one line naming the problem and the fix, and a status per kind.

Every user mistake is raised as :class:`CliError` and printed once, by ``main``; argparse's own
errors go the same way through :class:`OneLineParser`. The statuses are documented in the README's
CLI reference, so scripts can tell the kinds apart.
"""

from __future__ import annotations

import argparse
from typing import NoReturn

REFUSED = 1  # the emulator refused the operation (invalid seed document, unknown ID, admin API)
USAGE = 2  # unknown option, bad value of a flag or a CHIME_LOCAL_* variable
INPUT = 3  # an input file is missing, unreadable or not valid YAML, JSON or TOML
DATABASE = 4  # --db: missing, not chime-local's database, read-only, a directory, no such parent
ENDPOINT = 5  # --endpoint: nothing listens there, or it is not a chime-local server
NETWORK = 6  # serve cannot bind: port in use, host does not resolve, address not on this machine
WORKERS = 7  # serve --workers N: the workers could not start


class CliError(Exception):
    """A mistake the user can fix; ``message`` says what is wrong and what to do."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = " ".join(message.split())  # always one line


class OneLineParser(argparse.ArgumentParser):
    """argparse, failing with one line and status 2 instead of printing its usage block."""

    def error(self, message: str) -> NoReturn:
        raise CliError(USAGE, f"{message}; see {self.prog} --help")
