"""The code generated from the packaged model is current, and it types the handlers for mypy."""

from __future__ import annotations

import subprocess
import sys
import typing
from pathlib import Path

import pytest

from chime_local.errors import ERRORS_BY_SHAPE, MODELED_ERRORS
from chime_local.model import enums, load_document, shapes
from chime_local.service import HANDLERS

ROOT = Path(__file__).parents[2]
MODEL = load_document("service-2.json")


def test_generated_files_are_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_model_code.py"), "--check"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("operation", sorted(HANDLERS))
def test_every_handler_is_typed_by_its_operation_shapes(operation: str) -> None:
    hints = typing.get_type_hints(HANDLERS[operation])
    model = MODEL["operations"][operation]
    expected_input = model["input"]["shape"] if "input" in model else "NoInput"
    assert hints["params"] is getattr(shapes, expected_input)
    if "output" in model:
        assert hints["return"] is getattr(shapes, model["output"]["shape"])
    else:
        assert hints["return"] is type(None)


def test_shapes_mark_required_members_and_enums_list_the_model_values() -> None:
    annotations = {  # forward references: the module postpones evaluation
        name: hint.__forward_arg__
        for name, hint in shapes.CreateUserRequest.__annotations__.items()
    }
    assert annotations == {"AccountId": "Required[str]", "Username": "str", "Email": "str",
                           "UserType": "UserType"}  # fmt: skip
    assert shapes.CreateUserRequest.__total__ is False
    assert typing.get_args(shapes.UserType) == ("PrivateUser", "SharedDevice")
    assert tuple(MODEL["shapes"]["License"]["enum"]) == enums.License.VALUES
    assert enums.UserType.SHARED_DEVICE == "SharedDevice"
    assert enums.AccountType.ENTERPRISE_LWA == "EnterpriseLWA"


def test_error_classes_follow_the_model() -> None:
    modeled = {n: s for n, s in MODEL["shapes"].items() if s.get("exception")}
    assert {cls.shape for cls in MODELED_ERRORS} == set(modeled)
    for cls in MODELED_ERRORS:
        assert cls.status == modeled[cls.shape]["error"]["httpStatusCode"]
        assert cls.code in MODEL["shapes"]["ErrorCode"]["enum"]
        assert ERRORS_BY_SHAPE[cls.shape] is cls


BROKEN_HANDLER = """
from chime_local.model import shapes
from chime_local.service.context import RequestContext


def get_user(ctx: RequestContext, params: shapes.GetUserRequest) -> shapes.GetUserResponse:
    user = ctx.store.get_member(ctx.tenant, params["AccountId"], params["UserName"])
    return {"User": user or {}, "Users": []}
"""


def _mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    module = tmp_path / "handler_under_test.py"
    module.write_text(source)
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"),
         "--follow-imports", "silent", str(module)],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip


def test_mypy_rejects_a_handler_reading_or_returning_members_its_shapes_lack(
    tmp_path: Path,
) -> None:
    result = _mypy(tmp_path, BROKEN_HANDLER)
    assert result.returncode == 1, result.stdout
    assert 'TypedDict "GetUserRequest" has no key "UserName"' in result.stdout
    assert 'Extra key "Users" for TypedDict "GetUserResponse"' in result.stdout
    fixed = BROKEN_HANDLER.replace('"UserName"', '"UserId"').replace(', "Users": []', "")
    assert _mypy(tmp_path, fixed).returncode == 0
