"""Hypothesis strategies built from the Chime model: valid inputs, and inputs broken one way.

``valid_input`` draws an input that satisfies every constraint of an operation's input shape
(required members, lengths, ranges, enums and the model's patterns read as Java reads them,
ASCII classes). Identifier members draw mostly from ``pools`` (ids that exist on the server), so
valid requests reach handlers, not only the NotFound path. ``broken_input`` takes a valid input
and breaks one member: null, a wrong JSON type, a value outside its length, range, enum or
pattern, a null list item, a missing required member, an unknown member. ``garbled`` turns a
body into one that is no JSON object at all.
"""

from __future__ import annotations

import string
from datetime import UTC, datetime
from typing import Any

from botocore.model import ListShape, Shape, StructureShape
from hypothesis import strategies as st

ASCII = st.characters(codec="ascii", categories=("L", "N", "P", "S", "Zs"))
ANY_TEXT = st.text(max_size=40)
MAX_LIST = 4
MAX_TEXT = 40
Pools = dict[str, list[str]]

# Values of a wrong JSON type for a member of each kind.
_WRONG_TYPES = {
    "string": st.one_of(st.integers(), st.booleans(), st.just([]), st.just({})),
    "integer": st.one_of(
        st.text(max_size=5), st.floats(allow_nan=False, allow_infinity=False), st.booleans()
    ),
    "boolean": st.one_of(st.text(max_size=5), st.integers(), st.just([])),
    "timestamp": st.one_of(st.text(max_size=20), st.booleans(), st.just({})),
    "list": st.one_of(st.text(max_size=5), st.integers(), st.just({})),
    "structure": st.one_of(st.text(max_size=5), st.integers(), st.just([1])),
}


def _length_bounds(shape: Shape, cap: int) -> tuple[int, int]:
    low = int(shape.metadata.get("min", 0))
    return low, max(low, min(int(shape.metadata.get("max", cap)), cap))


def valid_value(shape: Shape, member: str, pools: Pools) -> st.SearchStrategy[Any]:
    if isinstance(shape, StructureShape):
        return valid_structure(shape, pools)
    if isinstance(shape, ListShape):
        low, high = _length_bounds(shape, MAX_LIST)
        return st.lists(valid_value(shape.member, member, pools), min_size=low, max_size=high)
    base = _valid_scalar(shape)
    if pools.get(member):  # mostly an id that exists, so that valid calls reach the handlers
        known = st.sampled_from(pools[member])
        return st.integers(0, 3).flatmap(lambda pick: base if pick == 3 else known)
    return base


def _valid_scalar(shape: Shape) -> st.SearchStrategy[Any]:
    kind, metadata = shape.type_name, shape.metadata
    if kind == "boolean":
        return st.booleans()
    if kind in ("integer", "long"):
        return st.integers(int(metadata.get("min", -(2**31))), int(metadata.get("max", 2**31 - 1)))
    if kind == "timestamp":
        return st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31), timezones=st.just(UTC))
    if "enum" in metadata:
        return st.sampled_from(list(metadata["enum"]))
    low, high = _length_bounds(shape, MAX_TEXT)
    if "pattern" in metadata:
        return st.from_regex(metadata["pattern"], fullmatch=True, alphabet=ASCII).filter(
            lambda text: low <= len(text) <= int(metadata.get("max", 10**9))
        )
    return st.text(ASCII, min_size=max(low, 1), max_size=high)


def valid_structure(shape: StructureShape, pools: Pools) -> st.SearchStrategy[dict[str, Any]]:
    required = {m: valid_value(shape.members[m], m, pools) for m in shape.required_members}
    optional = {m: valid_value(s, m, pools) for m, s in shape.members.items() if m not in required}
    return st.fixed_dictionaries(required, optional=optional)


def invalid_value(shape: Shape) -> st.SearchStrategy[Any]:
    """A value that breaks at least one constraint of ``shape`` (or its type)."""
    kind, metadata = shape.type_name, shape.metadata
    options: list[st.SearchStrategy[Any]] = [st.none()]
    wrong = _WRONG_TYPES.get("integer" if kind == "long" else kind)
    if wrong is not None:
        options.append(wrong)
    if isinstance(shape, ListShape):
        item = shape.member
        options.append(st.lists(st.none(), min_size=1, max_size=3))
        options.append(st.lists(invalid_value(item), min_size=1, max_size=2))
        if "max" in metadata:
            options.append(st.just([None] * (int(metadata["max"]) + 1)))
    elif isinstance(shape, StructureShape):
        options.append(_broken_structure(shape))
    elif kind in ("integer", "long"):
        if "min" in metadata:
            options.append(st.integers(max_value=int(metadata["min"]) - 1, min_value=-(2**40)))
        if "max" in metadata:
            options.append(st.integers(min_value=int(metadata["max"]) + 1, max_value=2**70))
    elif kind == "string":
        options.append(_broken_string(shape))
    return st.one_of(options)


def _broken_string(shape: Shape) -> st.SearchStrategy[str]:
    metadata = shape.metadata
    options: list[st.SearchStrategy[str]] = [
        # Unicode digits and spaces: \d and \s in the model's Java patterns are ASCII only.
        st.text(st.sampled_from("٠١٢٣٤٥٦٧٨٩\u00a0\u2003+@." + string.ascii_letters), max_size=20),
        ANY_TEXT,
        st.just(""),
    ]
    if "max" in metadata:
        options.append(st.just("x" * (int(metadata["max"]) + 1)))
    if "enum" in metadata:
        options.append(st.sampled_from([v.lower() for v in metadata["enum"]] + ["Bogus"]))
    return st.one_of(options)


@st.composite
def _broken_structure(draw: st.DrawFn, shape: StructureShape) -> dict[str, Any]:
    document: dict[str, Any] = draw(valid_structure(shape, {}))
    members = list(shape.members)
    if members:
        target = draw(st.sampled_from(members))
        document[target] = draw(invalid_value(shape.members[target]))
    return document


@st.composite
def broken_input(
    draw: st.DrawFn, shape: StructureShape | None, pools: Pools
) -> tuple[dict[str, Any], str]:
    """A valid input with one thing broken, and which member was broken ('' for the body)."""
    document: dict[str, Any] = draw(valid_structure(shape, pools)) if shape is not None else {}
    members = list(shape.members) if shape is not None else []
    choices = ["unknown-member"] + (["member"] if members else [])
    if shape is not None and shape.required_members:
        choices.append("missing-required")
    how = draw(st.sampled_from(choices))
    if how == "unknown-member":
        document[draw(st.text(string.ascii_letters, min_size=1, max_size=8))] = draw(ANY_TEXT)
        return document, ""
    assert shape is not None
    if how == "missing-required":
        target = draw(st.sampled_from(list(shape.required_members)))
        document.pop(target, None)
        return document, target
    target = draw(st.sampled_from(members))
    document[target] = draw(invalid_value(shape.members[target]))
    return document, target


def garbled(body: bytes) -> st.SearchStrategy[bytes]:
    """A body that is not one JSON object: cut short, another JSON value, or arbitrary bytes."""
    return st.one_of(
        st.integers(0, max(len(body) - 1, 0)).map(lambda cut: body[:cut]),
        st.sampled_from([b"[]", b"null", b"42", b'"text"', b"{", b"\xff\xfe{}", b"{}{}"]),
        st.binary(max_size=64),
    )
