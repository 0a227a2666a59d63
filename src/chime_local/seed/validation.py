"""Reading and validating seed documents: the JSON Schema first, then the rules between records.

Every problem is reported with its path (``accounts[2].users[5].email: ...``) and nothing is
loaded unless the whole document is valid. The schema check of a valid document runs through
fastjsonschema (the schema compiled to Python, about six times faster on a million users); only
an invalid document goes through jsonschema, which lists every error rather than the first.
The three libraries are imported when a document is read or checked, not when the server starts.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chime_local.jsonio import loads
from chime_local.model.enums import AccountType, License
from chime_local.seed.records import PLACES
from chime_local.store.base import Store

if TYPE_CHECKING:
    import yaml
    from jsonschema import Draft202012Validator


class SeedError(ValueError):
    """A seed document that cannot be loaded; ``problems`` lists each with its path."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:50]
        more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(
            f"{len(problems)} problem(s) in the seed document:\n" + "\n".join(shown) + more
        )


@functools.cache
def schema() -> dict[str, Any]:
    text = resources.files("chime_local.seed").joinpath("seed.schema.json").read_text()
    document: dict[str, Any] = json.loads(text)
    return document


@functools.cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema())


@functools.cache
def _fast_check() -> Callable[[Any], Any]:
    import fastjsonschema

    check: Callable[[Any], Any] = fastjsonschema.compile(schema())
    return check


def _schema_problems(document: Any) -> list[str]:
    import fastjsonschema

    try:
        _fast_check()(document)
        return []
    except fastjsonschema.JsonSchemaException:
        return [
            f"{_path(error.absolute_path)}: {error.message}"
            for error in _validator().iter_errors(document)
        ]


def read_document(
    path: str | Path, progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """Read a YAML or JSON seed file (JSON is YAML, so one parser reads both).

    ``progress`` is told how many bytes each read consumed, so a large file can show how far the
    parse is. A syntax error is one problem naming ``file:line:column``.
    """
    import yaml

    try:
        if str(path).endswith(".json"):
            data = Path(path).read_bytes()
            if progress is not None:
                progress(len(data))
            document = loads(data)
        else:
            with Path(path).open("rb") as file:
                # libyaml's safe loader where it is compiled in (several times faster)
                loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
                document = yaml.load(_CountingReader(file, progress), Loader=loader)
    except yaml.MarkedYAMLError as exc:
        raise SeedError([_yaml_problem(path, exc)]) from None
    except json.JSONDecodeError as exc:
        raise SeedError([f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})"]) from None
    except (ValueError, yaml.YAMLError) as exc:
        raise SeedError(
            [f"{path}: not valid YAML or JSON ({' '.join(str(exc).split())})"]
        ) from None
    if not isinstance(document, dict):
        raise SeedError([f"{path}: the document must be a mapping"])
    return document


class _CountingReader:
    """A binary file that reports the bytes each ``read`` returns (the YAML reader's progress)."""

    def __init__(self, file: Any, progress: Callable[[int], None] | None) -> None:
        self._file = file
        self._progress = progress

    def read(self, size: int = -1) -> bytes:
        chunk: bytes = self._file.read(size)
        if self._progress is not None:
            self._progress(len(chunk))
        return chunk


def _yaml_problem(path: str | Path, error: yaml.MarkedYAMLError) -> str:
    mark = error.problem_mark or error.context_mark
    where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
    context = f" ({error.context})" if error.context else ""
    return f"{where}: not valid YAML: {error.problem}{context}"


def _path(parts: Iterable[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(document)"


def validate_seed(document: Any, store: Store | None = None) -> None:
    """Raise :class:`SeedError` listing every problem; return quietly if the document is valid."""
    problems = _schema_problems(document)
    if not problems:
        problems = list(_relations(document, store))
    if problems:
        raise SeedError(problems)


def _relations(document: dict[str, Any], store: Store | None) -> Iterator[str]:
    yield from _record_relations(document, store)
    account_ids: set[str] = set()
    user_ids: set[str] = set()
    pins: set[str] = set()
    for a, account in enumerate(document.get("accounts", [])):
        where = f"accounts[{a}]"
        yield from _unique(account.get("id"), account_ids, f"{where}.id", "account id")
        if store is not None and account.get("id") and store.account_exists(account["id"]):
            yield f"{where}.id: account {account['id']} already exists"
        kind = account.get("type", AccountType.TEAM)
        licenses = account.get("supported_licenses", [License.BASIC, License.PRO])
        if account.get("default_license", License.PRO) not in licenses:
            yield f"{where}.default_license: not in supported_licenses"
        emails: set[str] = set()
        for u, user in enumerate(account.get("users", [])):
            at = f"{where}.users[{u}]"
            yield from _unique(user.get("id"), user_ids, f"{at}.id", "user id")
            yield from _unique(user.get("pin"), pins, f"{at}.pin", "PIN")
            yield from _unique(user["email"].lower(), emails, f"{at}.email", "email in account")
            if store is not None and user.get("id") and store.user_exists(user["id"]):
                yield f"{at}.id: user {user['id']} already exists"
            if store is not None and user.get("pin") and store.pin_in_use(user["pin"]):
                yield f"{at}.pin: PIN {user['pin']} is already in use"
            state = user.get("state", "registered")
            if state == "suspended" and kind == "Team":
                yield f"{at}.state: Team accounts have no suspended users (they are removed)"
            if state == "invited" and kind != "Team":
                yield f"{at}.state: only Team accounts have invited users"
            if "license" in user and user["license"] not in licenses:
                yield f"{at}.license: not in the account's supported_licenses"


def _record_relations(document: dict[str, Any], store: Store | None) -> Iterator[str]:
    """Numbers, orders, rooms, memberships and bots are unique in the document and the store."""
    seen: dict[str, set[str]] = {}
    for section, owner_key in (("tenants", "aws_account_id"), ("accounts", "id")):
        for index, entry in enumerate(document.get(section, [])):
            owner_id = entry.get(owner_key, "")
            for place in PLACES:
                if place.single or place.key not in entry:
                    continue
                for i, doc in enumerate(entry[place.key]):
                    record_id = place.record_id(doc, owner_id)
                    where = f"{section}[{index}].{place.key}[{i}]"
                    yield from _unique(
                        record_id, seen.setdefault(place.kind, set()), where, "record"
                    )
                    if store is not None and store.get_record(place.kind, record_id) is not None:
                        yield f"{where}: {record_id} already exists"


def _unique(value: str | None, seen: set[str], where: str, what: str) -> Iterator[str]:
    if value is None:
        return
    if value in seen:
        yield f"{where}: duplicate {what} {value}"
    seen.add(value)
