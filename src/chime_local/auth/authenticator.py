"""Turns a request's SigV4 ``Authorization`` header into a :class:`Caller` (decisions 7-9).

Default mode (no credentials configured): any access key is accepted and the signature is not
checked; a key of exactly 12 digits is its own AWS account, every other key maps to the default
tenant ``123456789012``. Strict mode (a credentials file): unknown keys are
``UnrecognizedClientException``, and the signature is verified in full (``auth.strict``). A
request without a SigV4 ``Authorization`` header is ``UnauthorizedClientException`` (401) in
every mode. Permissions are checked once the operation is known (:meth:`authorize`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from chime_local.auth.credentials import Credential
from chime_local.auth.header import parse_authorization
from chime_local.auth.permissions import authorize
from chime_local.auth.strict import SignatureVerifier
from chime_local.errors import UnrecognizedClientException
from chime_local.protocol.http import HttpRequest
from chime_local.service.context import Caller


class Authenticator:
    """Maps requests to callers, in default or strict mode."""

    MAX_CALLERS = 4096

    def __init__(self, default_tenant: str, credentials: dict[str, Credential] | None) -> None:
        self._default_tenant = default_tenant
        self.credentials = credentials
        self._verifier = SignatureVerifier()
        self._callers: dict[str, Caller] = {}  # a key always maps to the same (immutable) caller

    @property
    def strict(self) -> bool:
        return self.credentials is not None

    def authenticate(self, request: HttpRequest) -> Caller:
        header = parse_authorization(request.headers.get("authorization"))
        key = header.access_key
        if self.credentials is None:
            return self._caller(key)
        credential = self.credentials.get(key)
        if credential is None:
            raise UnrecognizedClientException(
                "The security token included in the request is invalid."
            )
        self._verifier.verify(request, header, credential.secret_access_key, datetime.now(UTC))
        return self._caller(key)

    def _caller(self, key: str) -> Caller:
        caller = self._callers.get(key)
        if caller is None:
            if len(self._callers) >= self.MAX_CALLERS:
                self._callers.clear()
            caller = self._callers[key] = self._new_caller(key)
        return caller

    def _new_caller(self, key: str) -> Caller:
        if self.credentials is None:
            tenant = key if len(key) == 12 and key.isdigit() else self._default_tenant
            return Caller(access_key=key, tenant=tenant)
        credential = self.credentials[key]
        return Caller(key, credential.aws_account_id, credential.user_name)

    def authorize(self, caller: Caller, action: str, account_id: str | None) -> None:
        if self.credentials is None:
            return
        authorize(self.credentials[caller.access_key], caller.arn, action, account_id)
