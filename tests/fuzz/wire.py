"""Fuzz requests on the wire: serialized, SigV4-signed with botocore, sent over one connection.

A valid input is serialized by botocore's own rest-json serializer, as every SDK would send it.
A broken input cannot go through botocore (it refuses or coerces wrong types), so it is laid out
by :func:`raw_request` from the same model locations: labels in the path, querystring members in
the query, the rest as the JSON body. Either way botocore's ``SigV4Auth`` signs the exact bytes
sent, so every request carries a valid ``Authorization`` header.
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import create_request_object, prepare_request_dict
from botocore.credentials import Credentials
from botocore.model import OperationModel
from botocore.serialize import create_serializer

from chime_local.protocol.api import Operation

SECRET = "fuzz-secret"


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def sdk_request(model: OperationModel, params: dict[str, Any]) -> dict[str, Any]:
    serializer = create_serializer("rest-json", include_validation=False)
    return dict(serializer.serialize_to_request(params, model))


def _wire_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return json.dumps(value)


def raw_request(operation: Operation, params: dict[str, Any]) -> dict[str, Any]:
    """The request dict botocore would build, laid out by hand for inputs it would refuse."""
    labels = dict(operation.label_slots)
    segments = [
        quote(_wire_text(params.get(labels[index], "")), safe="") if literal is None else literal
        for index, literal in enumerate(operation.segments)
    ]
    query: dict[str, Any] = dict(operation.fixed_query)
    for member in operation.query_members:
        if params.get(member.member) is not None:
            query[member.wire_name] = _wire_text(params[member.member])
    located = set(labels.values()) | {m.member for m in operation.query_members}
    body = {name: value for name, value in params.items() if name not in located}
    return {
        "url_path": "/" + "/".join(segments),
        "query_string": query,
        "method": operation.method,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body, default=_wire_text).encode() if body else b"",
    }


class Sender:
    """Signs request dicts for one tenant and sends them over a kept-alive connection."""

    def __init__(self, endpoint_url: str, access_key: str) -> None:
        self.endpoint_url = endpoint_url
        self.signer = SigV4Auth(Credentials(access_key, SECRET), "chime", "us-east-1")
        parts = urlsplit(endpoint_url)
        self.address = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.connection: http.client.HTTPConnection | None = None

    def send(self, request_dict: dict[str, Any]) -> Reply:
        prepare_request_dict(request_dict, self.endpoint_url)
        request = create_request_object(request_dict)
        self.signer.add_auth(request)
        prepared = request.prepare()
        target = prepared.url[len(self.endpoint_url) :] or "/"
        for attempt in (1, 2):  # a kept-alive connection the server closed is opened once more
            connection = self._connection()
            try:
                connection.request(prepared.method, target, prepared.body, dict(prepared.headers))
                response = connection.getresponse()
                body = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
                continue
            if response.getheader("connection", "").lower() == "close":
                self.close()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
        raise AssertionError("unreachable")

    def _connection(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(*self.address, timeout=30)
        return self.connection

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
