"""The in-process adapter's view of a botocore prepared request."""

from __future__ import annotations

from botocore.awsrequest import AWSRequest

from chime_local.testing.inprocess import _to_request


def _prepared() -> object:
    request = AWSRequest(
        method="POST",
        url="https://chime.us-east-1.amazonaws.com/accounts/a%20b/users?operation=create",
        data=b'{"Email":"jane@example.com"}',
        headers={"Content-Type": "application/json", "X-Amz-Date": b"20261130T000000Z"},
    )
    return request.prepare()


def test_headers_read_as_lowercase_text_with_the_urls_host() -> None:
    request = _to_request(_prepared())
    assert request.headers.get("content-type") == "application/json"
    assert request.headers.get("x-amz-date") == "20261130T000000Z"
    assert request.headers.get("host") == "chime.us-east-1.amazonaws.com"
    assert request.headers.get("authorization") is None
    assert request.headers.get("authorization", "") == ""
    assert dict(request.headers) == {
        "content-type": "application/json",
        "x-amz-date": "20261130T000000Z",
        "content-length": "28",
        "host": "chime.us-east-1.amazonaws.com",
    }


def test_path_stays_encoded_and_query_and_body_are_kept() -> None:
    request = _to_request(_prepared())
    assert (request.method, request.path, request.query) == (
        "POST",
        "/accounts/a%20b/users",
        "operation=create",
    )
    assert request.body == b'{"Email":"jane@example.com"}'
