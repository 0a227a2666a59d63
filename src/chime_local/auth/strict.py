"""Full SigV4 verification with botocore's own signer primitives (never a hand-written algorithm).

The request is rebuilt exactly as the client had it when signing: method, the raw path and query
as received, only the headers the client listed in ``SignedHeaders``, and the body. botocore's
``SigV4Auth`` then computes the parts of the canonical request, the string to sign and the
signature with the key's secret and the region of the credential scope (any region is accepted).
botocore trusts an ``X-Amz-Content-SHA256`` header when present, so that header is checked
against the body too. A unit test holds the server's canonical request equal to the one
botocore's client signer produces.

What is kept between requests, all of it derived data that the check itself never skips: one
signer per key and region, the signing key derived from a secret, date and region (the same all
day), the canonical forms of recently seen paths and queries, and the parsed time of the last
``X-Amz-Date``.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from botocore.auth import SigV4Auth
from botocore.credentials import Credentials

from chime_local.auth.header import SignatureHeader
from chime_local.errors import InvalidSignatureException
from chime_local.protocol.http import HttpRequest

MAX_SKEW = timedelta(minutes=15)
SERVICE = "chime"
_UNSIGNED = {"UNSIGNED-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"}
_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method."
)


class _SignedHeaders(dict[str, str]):
    """The signed headers as botocore's ``canonical_headers`` reads them (names, ``get_all``).

    botocore collects them into an ``HTTPHeaders``, an ``email.message.Message``, whose lookups
    are most of the cost of a canonical request; the server has them in a dict already.
    """

    def get_all(self, name: str) -> list[str]:
        return [self[name]]


class _ServerSigV4(SigV4Auth):  # type: ignore[misc]  # botocore is untyped
    """botocore's SigV4 signer, fed the request exactly as received.

    The canonical request is botocore's, part by part; only the path and query are taken from
    the received request as they are instead of being split out of a URL again, and the headers
    are the ones the client signed, as received. As in botocore, a declared
    ``X-Amz-Content-SHA256`` stands for the payload (it has been checked against the body).
    """

    def canonical_request(self, request: _SignedRequest) -> str:
        headers = request.headers
        return "\n".join(
            (
                request.method.upper(),
                _canonical_path(request.path),
                _canonical_query(request.query),
                self.canonical_headers(headers) + "\n",
                self.signed_headers(headers),
                request.declared_payload_hash or self.payload(request),
            )
        )


@functools.lru_cache(maxsize=8192)
def _canonical_path(path: str) -> str:
    """botocore's canonical URI of a path (dot segments removed, encoded again): a pure function
    of the path, and the same few paths come back request after request."""
    canonical: str = _BOTOCORE_SIGNER._normalize_url_path(path)
    return canonical


@functools.lru_cache(maxsize=8192)
def _canonical_query(query: str) -> str:
    """botocore's canonical query string of a raw query (pairs sorted, encoding kept)."""
    canonical: str = _BOTOCORE_SIGNER._canonical_query_string_url(_RawQuery(query))
    return canonical


@dataclass(frozen=True, slots=True)
class _RawQuery:
    query: str  # what botocore reads of a split URL


_BOTOCORE_SIGNER = SigV4Auth(Credentials("-", "-"), SERVICE, "-")


class SignatureVerifier:
    """Verifies requests; keeps what is derived from keys and dates, never a verdict."""

    MAX_KEYS = 4096

    def __init__(self) -> None:
        self._signers: dict[tuple[str, str, str], _ServerSigV4] = {}
        self._signing_keys: dict[tuple[str, str, str], bytes] = {}
        self._last_date: tuple[str, datetime] | None = None

    def verify(
        self, request: HttpRequest, header: SignatureHeader, secret: str, now: datetime
    ) -> None:
        """Raise ``InvalidSignatureException`` unless the request is signed with ``secret``."""
        amz_date = request.headers.get("x-amz-date", "")
        _check_scope(header, amz_date)
        _check_time(self._signed_at(amz_date), amz_date, now)
        _check_payload_hash(request)
        signer = self._signer(header.access_key, secret, header.region)
        aws_request = _rebuild(request, header, amz_date)
        canonical = signer.canonical_request(aws_request)
        string_to_sign = signer.string_to_sign(aws_request, canonical)
        key = self._signing_key(signer, secret, header.date, header.region)
        expected = signer._sign(key, string_to_sign, hex=True)
        if not hmac.compare_digest(expected, header.signature):
            raise InvalidSignatureException(_MISMATCH)

    def _signer(self, access_key: str, secret: str, region: str) -> _ServerSigV4:
        cache_key = (access_key, secret, region)
        signer = self._signers.get(cache_key)
        if signer is None:
            if len(self._signers) >= self.MAX_KEYS:
                self._signers.clear()
            signer = _ServerSigV4(Credentials(access_key, secret), SERVICE, region)
            self._signers[cache_key] = signer
        return signer

    def _signed_at(self, amz_date: str) -> datetime:
        """The instant of ``X-Amz-Date``; requests signed in the same second share one parse."""
        last = self._last_date
        if last is not None and last[0] == amz_date:
            return last[1]
        signed_at = _parse_amz_date(amz_date)
        self._last_date = (amz_date, signed_at)
        return signed_at

    def _signing_key(self, signer: SigV4Auth, secret: str, date: str, region: str) -> bytes:
        """botocore's ``SigV4Auth.signature`` derives this key on every call; derive it once."""
        cache_key = (secret, date, region)
        key = self._signing_keys.get(cache_key)
        if key is None:
            k_date = signer._sign(f"AWS4{secret}".encode(), date)
            k_region = signer._sign(k_date, region)
            k_service = signer._sign(k_region, SERVICE)
            key = signer._sign(k_service, "aws4_request")
            if len(self._signing_keys) >= self.MAX_KEYS:
                self._signing_keys.clear()
            self._signing_keys[cache_key] = key
        return bytes(key)


def _check_scope(header: SignatureHeader, amz_date: str) -> None:
    if header.service != SERVICE:
        raise InvalidSignatureException(
            f"Credential should be scoped to correct service: '{SERVICE}'."
        )
    if header.terminator != "aws4_request":
        raise InvalidSignatureException(
            "Credential should be scoped with a valid terminator: 'aws4_request'."
        )
    if not amz_date:
        raise InvalidSignatureException("The request must carry a signed X-Amz-Date header.")
    if header.date != amz_date[:8]:
        raise InvalidSignatureException(
            f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{header.date}' != '{amz_date[:8]}'"
        )
    if "host" not in header.signed_headers or "x-amz-date" not in header.signed_headers:
        raise InvalidSignatureException("SignedHeaders must include host and x-amz-date.")


def _parse_amz_date(amz_date: str) -> datetime:
    try:  # the fixed format YYYYMMDDTHHMMSSZ, read without strptime (the slow part)
        if len(amz_date) != 16 or amz_date[8] != "T" or amz_date[15] != "Z":
            raise ValueError(amz_date)
        year, month, day = int(amz_date[0:4]), int(amz_date[4:6]), int(amz_date[6:8])
        hour, minute, second = int(amz_date[9:11]), int(amz_date[11:13]), int(amz_date[13:15])
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        raise InvalidSignatureException(f"Invalid X-Amz-Date '{amz_date}'") from None


def _check_time(signed_at: datetime, amz_date: str, now: datetime) -> None:
    if abs(now - signed_at) > MAX_SKEW:
        raise InvalidSignatureException(
            f"Signature expired: {amz_date} is now earlier or later than "
            f"{(now - MAX_SKEW):%Y%m%dT%H%M%SZ} - {(now + MAX_SKEW):%Y%m%dT%H%M%SZ}"
        )


def _check_payload_hash(request: HttpRequest) -> None:
    declared = request.headers.get("x-amz-content-sha256")
    if declared is None or declared in _UNSIGNED:
        return
    if declared != hashlib.sha256(request.body).hexdigest():
        raise InvalidSignatureException(
            "The provided 'x-amz-content-sha256' header does not match what was computed."
        )


@dataclass(slots=True)
class _SignedRequest:
    """The request as botocore's signer reads it: it uses exactly these attributes. A plain value
    rather than an ``AWSRequest``, whose ``body`` property prepares the whole request again on
    every access (half the cost of a verification)."""

    method: str
    url: str
    path: str
    query: str
    headers: _SignedHeaders
    body: bytes
    context: dict[str, str]
    declared_payload_hash: str | None
    params: dict[str, str] = field(default_factory=dict)


def _rebuild(request: HttpRequest, header: SignatureHeader, amz_date: str) -> _SignedRequest:
    host = request.headers.get("host", "localhost")
    query = request.query
    url = f"http://{host}{request.path}" + (f"?{query}" if query else "")
    signed = _SignedHeaders((name, request.headers.get(name, "")) for name in header.signed_headers)
    return _SignedRequest(
        request.method,
        url,
        request.path,
        query,
        signed,
        request.body,
        {"timestamp": amz_date},
        _declared_hash(request),
    )


def _declared_hash(request: HttpRequest) -> str | None:
    """The payload hash the canonical request uses: the declared one once it has been checked
    against the body, and never ``UNSIGNED-PAYLOAD``: AWS hashes the body of every request but
    S3's, so a signature over an unsigned payload cannot match (and a swapped body cannot pass)."""
    declared = request.headers.get("x-amz-content-sha256")
    return None if declared in _UNSIGNED else declared
