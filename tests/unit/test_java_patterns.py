"""The model's patterns with Java's semantics, in time linear in the value."""

from __future__ import annotations

import time
from typing import Any

import pytest

from chime_local.errors import BadRequestException
from chime_local.protocol.api import load_api
from chime_local.protocol.java_pattern import (
    REMEMBERED,
    REMEMBERED_LENGTH,
    JavaPattern,
    translate,
)
from chime_local.protocol.validator import Validator

API = load_api()
MODEL_PATTERNS = sorted(
    {
        pattern
        for name in API.model.shape_names
        if (pattern := API.model.shape_for(name).metadata.get("pattern"))
    }
)
MEGABYTE = 1 << 20
# Values that make a backtracking engine try every split of the value: long runs of the
# characters the patterns separate on, with the one character that makes the match fail last.
ADVERSARIAL = [
    "a" * MEGABYTE,
    "a@" * (MEGABYTE // 2),
    "@." * (MEGABYTE // 2),
    "a@" + "." * MEGABYTE + "\n",
    " " * MEGABYTE,
    "1" * MEGABYTE + "x",
    "a" * MEGABYTE + "\u2028",
    "-" + "0" * MEGABYTE,
]


def test_the_model_has_the_patterns_this_file_was_written_for() -> None:
    assert ".+@.+\\..+" in MODEL_PATTERNS and ".*\\S.*" in MODEL_PATTERNS
    assert len(MODEL_PATTERNS) >= 9


@pytest.mark.parametrize("pattern", MODEL_PATTERNS)
def test_a_megabyte_of_adversarial_input_is_matched_in_linear_time(pattern: str) -> None:
    compiled = JavaPattern(pattern)
    began = time.perf_counter()
    for value in ADVERSARIAL:
        compiled.fullmatch(value)
    elapsed = time.perf_counter() - began
    assert elapsed < 0.5, f"{pattern!r}: {elapsed:.2f}s for {len(ADVERSARIAL)} values"


def test_a_megabyte_email_is_rejected_quickly_by_the_validator() -> None:
    params: dict[str, Any] = {"AccountId": "a", "Email": "a@" * (MEGABYTE // 2)}
    began = time.perf_counter()
    with pytest.raises(BadRequestException) as caught:
        Validator().validate(API.operations["CreateUser"].input_shape, params)
    assert time.perf_counter() - began < 0.5
    assert "regular expression pattern: .+@.+\\..+" in caught.value.message
    assert len(caught.value.message) < 1000  # the value is echoed cut short


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("+12065550100", True),
        ("+1\u0662\u0660\u0666\u0665\u0665\u0665\u0660\u0661\u0660\u0660", False),  # Arabic-Indic
        ("+1\uff12\uff10\uff16\uff15\uff15\uff15\uff10\uff11\uff10\uff10", False),  # full-width
        ("+12065550100\n", False),
    ],
)
def test_phone_number_digits_are_ascii(number: str, valid: bool) -> None:
    assert JavaPattern("^\\+?[1-9]\\d{1,14}$").fullmatch(number) is valid


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("Team", True),
        ("\u00a0", True),  # no-break space is not whitespace to Java's \s, so it is non-blank
        ("\u2003", True),  # nor is an em space
        ("\x0b", False),  # the vertical tab is Java whitespace
        (" \t\f\r ", False),
        ("a\nb", False),  # "." stops at line terminators
        ("a\r", False),
    ],
)
def test_blank_names_are_whitespace_as_java_defines_it(name: str, valid: bool) -> None:
    assert JavaPattern(".*\\S.*").fullmatch(name) is valid


@pytest.mark.parametrize("terminator", ["\n", "\r", "\u0085", "\u2028", "\u2029"])
def test_dot_stops_at_every_java_line_terminator(terminator: str) -> None:
    email = JavaPattern(".+@.+\\..+")
    assert email.fullmatch("someone@example.com")
    assert not email.fullmatch(f"someone@example.com{terminator}")


def test_translation_changes_only_dot_and_whitespace_classes() -> None:
    assert translate("^\\+?[1-9]\\d{1,14}$") == "^\\+?[1-9]\\d{1,14}$"
    assert translate("a.b\\.c[.\\s]") == (
        "a[^\\n\\r\\x{85}\\x{2028}\\x{2029}]b\\.c[.\\t\\n\\x0B\\f\\r ]"
    )


def test_a_non_space_class_inside_a_class_is_refused() -> None:
    with pytest.raises(ValueError, match="not supported"):
        translate("[a\\S]")


def test_remembered_verdicts_stay_right_and_bounded() -> None:
    pattern = JavaPattern(r"[0-9]{3}")
    for _ in range(2):  # the second round answers from what was remembered
        assert [pattern.fullmatch(value) for value in ("123", "12a", "1234")] == [
            True,
            False,
            False,
        ]
    for number in range(REMEMBERED + 10):
        assert pattern.fullmatch(str(number)) == (100 <= number <= 999)
    assert len(pattern._seen) <= REMEMBERED
    long_value = "1" * (REMEMBERED_LENGTH + 1)
    assert not pattern.fullmatch(long_value) and long_value not in pattern._seen
