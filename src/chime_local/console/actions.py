"""The console's actions: each turns a submitted form into a call of the admin API's own handler.

There is no second path: an action builds the JSON request the admin API takes and runs it
through :meth:`AdminApi.call`, so the console validates and behaves exactly as the API does; a
refused request is shown with the API's message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chime_local.admin.api import ADMIN_PREFIX, AdminApi, AdminError
from chime_local.console.forms import Form
from chime_local.errors import ChimeError
from chime_local.jsonio import dumps, loads
from chime_local.protocol.http import HttpRequest
from chime_local.seed import SeedError


@dataclass
class ActionResult:
    ok: bool
    message: str
    back: str = "controls"  # the page shown after the action


Action = Callable[[AdminApi, Form], ActionResult]


def _call(
    api: AdminApi, method: str, path: str, body: Any = None, query: str = ""
) -> tuple[bool, Any]:
    payload = dumps(body) if body is not None else b""
    headers = {"content-type": "application/json"}
    request = HttpRequest(method, ADMIN_PREFIX + path, query, headers, payload)
    try:
        return True, api.call(request)[1]
    except SeedError as error:
        return False, str(error)
    except (AdminError, ChimeError) as error:
        return False, error.message


def _result(outcome: tuple[bool, Any], done: str, back: str = "controls") -> ActionResult:
    ok, answer = outcome
    return ActionResult(ok, done if ok else f"Refused: {answer}", back)


def set_clock(api: AdminApi, form: Form) -> ActionResult:
    outcome = _call(api, "PUT", "clock", {"Now": form.get("now")})
    return _result(outcome, f"Clock set to {outcome[1].get('Now') if outcome[0] else ''}")


def advance_clock(api: AdminApi, form: Form) -> ActionResult:
    raw = form.get("seconds")
    try:
        seconds: Any = float(raw) * _UNITS.get(form.get("unit", "seconds"), 1)
    except ValueError:
        seconds = raw  # the API names the problem
    outcome = _call(api, "PUT", "clock", {"Advance": seconds})
    return _result(outcome, f"Clock advanced to {outcome[1].get('Now') if outcome[0] else ''}")


_UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def reset_clock(api: AdminApi, form: Form) -> ActionResult:
    return _result(_call(api, "DELETE", "clock"), "Clock back to the wall clock")


def add_fault(api: AdminApi, form: Form) -> ActionResult:
    rule: dict[str, Any] = {"Operation": form.get("operation"), "Error": form.get("error")}
    count, probability = form.get("count"), form.get("probability")
    if count:
        rule["Count"] = int(count) if count.isdigit() else count
    if probability:
        try:
            rule["Probability"] = float(probability)
        except ValueError:
            rule["Probability"] = probability
    if form.get("access_key"):
        rule["AccessKeyId"] = form.get("access_key")
    return _result(_call(api, "POST", "faults", rule), "Fault rule added")


def remove_fault(api: AdminApi, form: Form) -> ActionResult:
    return _result(_call(api, "DELETE", f"faults/{form.get('index')}"), "Fault rule removed")


def reset(api: AdminApi, form: Form) -> ActionResult:
    if form.get("confirm") != "yes":
        return ActionResult(False, "Nothing reset: tick the confirmation box to reset everything")
    return _result(_call(api, "POST", "reset"), "Everything reset: state, faults, clock, log")


def import_state(api: AdminApi, form: Form) -> ActionResult:
    data = form.files.get("document", b"")
    if not data.strip():
        return ActionResult(False, "Nothing imported: choose an export (JSON) file")
    try:
        document = loads(data)
    except ValueError as error:
        return ActionResult(False, f"Nothing imported: the file is not JSON ({error})")
    query = "replace=true" if form.get("replace") == "yes" else ""
    outcome = _call(api, "POST", "seed", document, query)
    done = f"Imported {outcome[1]['Accounts']} account(s)" if outcome[0] else ""
    return _result(outcome, done)


def accept_invitation(api: AdminApi, form: Form) -> ActionResult:
    path = f"accounts/{form.get('account_id')}/users/{form.get('user_id')}/accept-invitation"
    if not form.get("account_id") or not form.get("user_id"):
        return ActionResult(False, "Refused: give the account id and the user id")
    outcome = _call(api, "POST", path)
    done = f"Invitation accepted: {outcome[1]['User']['PrimaryEmail']}" if outcome[0] else ""
    return _result(outcome, done, back=form.get("back", "controls"))


def clear_outbox(api: AdminApi, form: Form) -> ActionResult:
    outcome = _call(api, "DELETE", "outbox")
    done = f"Outbox emptied ({outcome[1]['Deleted']} email(s))" if outcome[0] else ""
    return _result(outcome, done, back="outbox")


ACTIONS: dict[str, Action] = {
    "set-clock": set_clock,
    "advance-clock": advance_clock,
    "reset-clock": reset_clock,
    "add-fault": add_fault,
    "remove-fault": remove_fault,
    "reset": reset,
    "import": import_state,
    "accept-invitation": accept_invitation,
    "clear-outbox": clear_outbox,
}
