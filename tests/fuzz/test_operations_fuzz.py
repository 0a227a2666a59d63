"""Every one of the 62 operations, fuzzed over a socket with valid and broken signed requests.

Valid inputs are drawn from the model and serialized by botocore; broken inputs have one member
null, of a wrong type, out of its bounds, enum or pattern, missing or unknown, and now and then
a body that is no JSON object at all. Whatever comes,
the server answers as the model says (see ``oracle.py``): never a 5xx, only modeled errors, and
successes whose bodies match the output shape.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chime_local.protocol.api import load_api
from tests.fuzz.conftest import FuzzTally, FuzzTarget
from tests.fuzz.oracle import Oracle
from tests.fuzz.strategies import broken_input, garbled, valid_structure
from tests.fuzz.wire import raw_request, sdk_request

API = load_api()
OPERATIONS = sorted(API.operations)


@pytest.mark.parametrize("name", OPERATIONS)
@given(data=st.data())
def test_operation_answers_as_modeled(
    name: str, data: st.DataObject, fuzz_target: FuzzTarget, oracle: Oracle, tally: FuzzTally
) -> None:
    operation = API.operations[name]
    model = API.model.operation_model(name)
    pools = fuzz_target.pools
    if data.draw(st.booleans(), label="valid"):
        params: dict[str, Any] = (
            data.draw(valid_structure(operation.input_shape, pools), label="input")
            if operation.input_shape is not None
            else {}
        )
        request, path_broken = sdk_request(model, params), False
    else:
        params, broken = data.draw(broken_input(operation.input_shape, pools), label="input")
        request = raw_request(operation, params)
        path_broken = broken in dict(operation.label_slots).values()
        if operation.body_members and data.draw(st.integers(0, 4), label="garble") == 0:
            request["body"] = data.draw(garbled(request["body"]), label="body")
    reply = fuzz_target.sender.send(request)
    tally.count(reply.headers.get("x-amzn-errortype") if reply.status >= 300 else None)
    oracle.check(operation, reply, path_broken=path_broken)
