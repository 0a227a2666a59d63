"""``python -m bench.validation``: the validator's cost for a valid GetUser and CreateUser.

Validation runs on every request, and its patterns now run on RE2 (linear time, Java classes)
rather than Python's backtracking ``re``; this measures what a valid request pays for it, best of
five runs of 200,000 validations each, in microseconds.
"""

from __future__ import annotations

import timeit
from typing import Any

from chime_local.protocol.api import load_api
from chime_local.protocol.codecs import compiled_codecs

GUID = "0d8d3c2e-8f1a-4c2b-9a7e-1f2e3d4c5b6a"
CASES: dict[str, dict[str, Any]] = {
    "GetUser": {"AccountId": GUID, "UserId": GUID},
    "CreateUser": {
        "AccountId": GUID,
        "Username": "someone",
        "Email": "someone@example.com",
        "UserType": "PrivateUser",
    },
}


def measure(number: int = 200_000, repeat: int = 5) -> dict[str, float]:
    api, validator = load_api(), compiled_codecs().validator
    figures = {}
    for name, params in CASES.items():
        shape = api.operations[name].input_shape
        validator.validate(shape, dict(params))  # compiled on first use

        def validate(shape: Any = shape, params: dict[str, Any] = params) -> None:
            validator.validate(shape, dict(params))

        runs = timeit.repeat(validate, number=number, repeat=repeat)
        figures[name] = min(runs) / number * 1e6
    return figures


if __name__ == "__main__":
    for name, micros in measure().items():
        print(f"{name}: {micros:.2f} us per valid validation")
