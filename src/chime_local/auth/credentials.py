"""The credentials file of strict mode (TOML), loaded and checked before the server starts.

::

    [[credentials]]
    access_key_id = "AKIAALICE0000000000"
    secret_access_key = "alice-secret"
    aws_account_id = "111122223333"
    user_name = "alice"            # optional; used in ARNs and messages
    allow = ["chime:*"]            # optional; IAM-style action patterns, default all
    chime_accounts = ["*"]         # optional; Chime account IDs this key may touch

A malformed file raises :class:`CredentialsError` naming the line and the problem.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_KNOWN_KEYS = {
    "access_key_id",
    "secret_access_key",
    "aws_account_id",
    "user_name",
    "allow",
    "chime_accounts",
}


class CredentialsError(ValueError):
    """The credentials file cannot be used; the message names the line and the problem."""


@dataclass(frozen=True, slots=True)
class Credential:
    access_key_id: str
    secret_access_key: str
    aws_account_id: str
    user_name: str
    allow: tuple[str, ...] = ("chime:*",)
    chime_accounts: tuple[str, ...] = ("*",)


def load_credentials(path: str | Path) -> dict[str, Credential]:
    """Read a credentials file into a map from access key id to credential."""
    text = Path(path).read_text()
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CredentialsError(f"{path}: {exc}") from None
    entries = document.get("credentials")
    if not isinstance(entries, list) or not entries:
        raise CredentialsError(f"{path}, line 1: expected one or more [[credentials]] tables")
    header_lines = [n for n, line in enumerate(text.splitlines(), 1) if "[[credentials]]" in line]
    found: dict[str, Credential] = {}
    for index, entry in enumerate(entries):
        line = header_lines[index] if index < len(header_lines) else 1
        where = f"{path}, line {line} (credentials[{index}])"
        credential = _credential(entry, where)
        if credential.access_key_id in found:
            raise CredentialsError(f"{where}: access_key_id {credential.access_key_id} repeats")
        found[credential.access_key_id] = credential
    return found


def _credential(entry: dict[str, Any], where: str) -> Credential:
    unknown = sorted(set(entry) - _KNOWN_KEYS)
    if unknown:
        raise CredentialsError(f"{where}: unknown key {', '.join(unknown)}")
    for key in ("access_key_id", "secret_access_key", "aws_account_id"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise CredentialsError(f"{where}: {key} is required and must be a string")
    if not re.fullmatch(r"\d{12}", entry["aws_account_id"]):
        raise CredentialsError(f"{where}: aws_account_id must be 12 digits")
    lists = {}
    for key in ("allow", "chime_accounts"):
        value = entry.get(key, ["chime:*"] if key == "allow" else ["*"])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise CredentialsError(f"{where}: {key} must be a list of strings")
        lists[key] = tuple(value)
    user_name = entry.get("user_name", entry["access_key_id"])
    if not isinstance(user_name, str) or not user_name:
        raise CredentialsError(f"{where}: user_name must be a string")
    return Credential(
        access_key_id=entry["access_key_id"],
        secret_access_key=entry["secret_access_key"],
        aws_account_id=entry["aws_account_id"],
        user_name=user_name,
        allow=lists["allow"],
        chime_accounts=lists["chime_accounts"],
    )
