"""The SigV4 pieces of strict mode, tested directly: header parsing and the canonical request."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from chime_local.auth.credentials import Credential
from chime_local.auth.header import _parse_any_form, parse_authorization
from chime_local.auth.permissions import authorize
from chime_local.auth.strict import SignatureVerifier, _rebuild, _ServerSigV4
from chime_local.errors import (
    ForbiddenException,
    InvalidSignatureException,
    UnauthorizedClientException,
)
from chime_local.protocol.http import HttpRequest

SIGNATURE = "f" * 64
HEADERS = [
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261130/us-east-1/chime/aws4_request, "
    f"SignedHeaders=host;x-amz-date, Signature={SIGNATURE}",
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261130/eu-west-2/chime/aws4_request,"
    f"SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,Signature={SIGNATURE}",
    # other spellings the general parser accepts: order, spacing, empty scope parts
    "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=abc, "
    "Credential=AKIDEXAMPLE/20261130/us-east-1/chime/aws4_request",
    "  AWS4-HMAC-SHA256 Credential=AKID/20261130//chime/aws4_request , SignedHeaders=host ,"
    " Signature=abc  ",
    "AWS4-HMAC-SHA256 Credential=AKID/20261130/us-east-1/s3/aws4_request, SignedHeaders=host, "
    "Signature=abc",
]


@pytest.mark.parametrize("value", HEADERS)
def test_every_spelling_parses_as_the_general_parser_reads_it(value: str) -> None:
    assert parse_authorization(value) == _parse_any_form(value)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "AWS4-HMAC-SHA256 Credential=AKID/20261130/us-east-1/chime, SignedHeaders=host, "
        "Signature=abc",
        "AWS4-HMAC-SHA256 Credential=AKID/20261130/us-east-1/chime/aws4_request, Signature=abc",
        "Bearer token",
    ],
)
def test_malformed_headers_are_unauthorized(value: str | None) -> None:
    with pytest.raises(UnauthorizedClientException):
        parse_authorization(value)


class _RecordingSigner(SigV4Auth):
    """botocore's client-side signer, keeping the canonical request it signed."""

    canonical = ""

    def canonical_request(self, request: AWSRequest) -> str:
        self.canonical = super().canonical_request(request)
        return self.canonical


def _signed_by_botocore(
    method: str, url: str, body: bytes, headers: dict[str, str]
) -> tuple[AWSRequest, str]:
    request = AWSRequest(method=method, url=url, data=body, headers=headers)
    signer = _RecordingSigner(Credentials("AKIDEXAMPLE", "secret"), "chime", "us-east-1")
    signer.add_auth(request)
    return request, signer.canonical


def _as_received(signed: AWSRequest) -> HttpRequest:
    path, _, query = signed.url.removeprefix("http://chime.local").partition("?")
    headers = {name.lower(): value for name, value in signed.headers.items()}
    headers["host"] = "chime.local"
    return HttpRequest(signed.method, path, query, headers, signed.body or b"")


CASES = [
    ("GET", "http://chime.local/accounts/a1/users/u1", b""),
    ("GET", "http://chime.local/accounts?name=Team%20A&max-results=5&next-token=x%2By", b""),
    ("POST", "http://chime.local/accounts/a1/users?operation=create", b'{"Email":"a@b.c"}'),
    ("DELETE", "http://chime.local/phone-numbers/%2B12065550100", b""),
    ("GET", "http://chime.local/accounts/a%20b/users/%E2%9C%93", b""),
    ("GET", "http://chime.local/accounts/./a1/../a1/users", b""),
    ("GET", "http://chime.local/accounts?b=2&a=1&a=0&c=", b""),
]


@pytest.mark.parametrize(("method", "url", "body"), CASES)
def test_the_server_computes_the_canonical_request_botocore_signed(
    method: str, url: str, body: bytes
) -> None:
    signed, expected = _signed_by_botocore(method, url, body, {"Content-Type": "application/json"})
    received = _as_received(signed)
    header = parse_authorization(received.headers["authorization"])
    server_side = _ServerSigV4(Credentials("AKIDEXAMPLE", "secret"), "chime", "us-east-1")
    rebuilt = _rebuild(received, header, received.headers["x-amz-date"])
    assert server_side.canonical_request(rebuilt) == expected


@pytest.mark.parametrize(("method", "url", "body"), CASES)
def test_botocore_signed_requests_verify_and_tampered_ones_do_not(
    method: str, url: str, body: bytes
) -> None:
    received = _as_received(_signed_by_botocore(method, url, body, {})[0])
    header = parse_authorization(received.headers["authorization"])
    at = datetime.now(UTC)
    verifier = SignatureVerifier()
    verifier.verify(received, header, "secret", at)
    verifier.verify(received, header, "secret", at)  # kept signer, key and date: same verdict
    with pytest.raises(InvalidSignatureException):
        verifier.verify(received, header, "another secret", at)
    received.path += "x"
    with pytest.raises(InvalidSignatureException):
        verifier.verify(received, header, "secret", at)


def _server_side_canonical(declared: str | None) -> tuple[HttpRequest, Any, str, str]:
    headers = {"X-Amz-Content-SHA256": declared} if declared else {}
    body = b'{"Name":"Team"}'
    signed, expected = _signed_by_botocore("POST", "http://chime.local/accounts", body, headers)
    received = _as_received(signed)
    header = parse_authorization(received.headers["authorization"])
    server_side = _ServerSigV4(Credentials("AKIDEXAMPLE", "secret"), "chime", "us-east-1")
    rebuilt = _rebuild(received, header, received.headers["x-amz-date"])
    return received, header, server_side.canonical_request(rebuilt), expected


@pytest.mark.parametrize("declared", [hashlib.sha256(b'{"Name":"Team"}').hexdigest(), None])
def test_the_payload_hash_is_the_bodys(declared: str | None) -> None:
    received, header, canonical, expected = _server_side_canonical(declared)
    assert canonical == expected
    assert canonical.endswith(hashlib.sha256(b'{"Name":"Team"}').hexdigest())
    SignatureVerifier().verify(received, header, "secret", datetime.now(UTC))


def test_an_unsigned_payload_is_hashed_from_the_body_and_never_matches() -> None:
    received, header, canonical, signed_over = _server_side_canonical("UNSIGNED-PAYLOAD")
    assert signed_over.endswith("UNSIGNED-PAYLOAD")
    assert canonical.endswith(hashlib.sha256(b'{"Name":"Team"}').hexdigest())
    with pytest.raises(InvalidSignatureException):
        SignatureVerifier().verify(received, header, "secret", datetime.now(UTC))


@pytest.mark.parametrize(
    ("allow", "action", "allowed"),
    [
        ((), "chime:GetUser", False),
        (("chime:*",), "chime:GetUser", True),
        (("chime:Get*", "chime:List*"), "chime:ListUsers", True),
        (("chime:Get*", "chime:List*"), "chime:CreateUser", False),
        (("CHIME:get?ser",), "chime:GetUser", True),
        (("chime:GetUser",), "chime:GetUserSettings", False),
        (("chime:[GL]*",), "chime:ListAccounts", True),
        (("chime:[GL]*",), "chime:DeleteAccount", False),
    ],
)
def test_allow_patterns_match_actions_like_iam(
    allow: tuple[str, ...], action: str, allowed: bool
) -> None:
    credential = Credential("AKID", "secret", "111122223333", "alice", allow=allow)
    arn = "arn:aws:iam::111122223333:user/alice"
    if allowed:
        authorize(credential, arn, action, None)
    else:
        with pytest.raises(ForbiddenException, match=f"not authorized to perform: {action}$"):
            authorize(credential, arn, action, None)
