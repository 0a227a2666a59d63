"""Typed errors: one class per modeled Chime error shape, plus the few the front end adds.

Handlers and pipeline steps raise these; the serializer turns them into wire responses in one
place. The HTTP status of each modeled class equals the model's ``httpStatusCode`` for that shape
(a unit test pins this), and ``code`` is the ``ErrorCode`` enum value the body carries.
"""

from __future__ import annotations

from typing import ClassVar


class ChimeError(Exception):
    """An error the client is meant to see. ``shape`` goes into ``x-amzn-ErrorType``."""

    shape: ClassVar[str] = "ServiceFailureException"
    status: ClassVar[int] = 500
    code: ClassVar[str] = "ServiceFailure"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequestException(ChimeError):
    shape, status, code = "BadRequestException", 400, "BadRequest"


class ConflictException(ChimeError):
    shape, status, code = "ConflictException", 409, "Conflict"


class ForbiddenException(ChimeError):
    shape, status, code = "ForbiddenException", 403, "Forbidden"


class AccessDeniedException(ChimeError):
    shape, status, code = "AccessDeniedException", 403, "AccessDenied"


class NotFoundException(ChimeError):
    shape, status, code = "NotFoundException", 404, "NotFound"


class ResourceLimitExceededException(ChimeError):
    shape, status, code = "ResourceLimitExceededException", 400, "ResourceLimitExceeded"


class UnauthorizedClientException(ChimeError):
    shape, status, code = "UnauthorizedClientException", 401, "Unauthorized"


class UnprocessableEntityException(ChimeError):
    shape, status, code = "UnprocessableEntityException", 422, "Unprocessable"


class ThrottledClientException(ChimeError):
    shape, status, code = "ThrottledClientException", 429, "Throttled"


class ServiceFailureException(ChimeError):
    shape, status, code = "ServiceFailureException", 500, "ServiceFailure"


class ServiceUnavailableException(ChimeError):
    shape, status, code = "ServiceUnavailableException", 503, "ServiceUnavailable"


MODELED_ERRORS: tuple[type[ChimeError], ...] = (
    BadRequestException,
    ConflictException,
    ForbiddenException,
    AccessDeniedException,
    NotFoundException,
    ResourceLimitExceededException,
    UnauthorizedClientException,
    UnprocessableEntityException,
    ThrottledClientException,
    ServiceFailureException,
    ServiceUnavailableException,
)


# Errors of the AWS front end rather than of the Chime model (decisions 1 and 9).


class UnknownOperationException(ChimeError):
    shape, status, code = "UnknownOperationException", 404, "NotFound"


class NotImplementedOperation(ChimeError):
    shape, status, code = "NotImplemented", 501, "NotImplemented"


class UnrecognizedClientException(ChimeError):
    shape, status, code = "UnrecognizedClientException", 403, "Forbidden"


class InvalidSignatureException(ChimeError):
    shape, status, code = "InvalidSignatureException", 403, "Forbidden"


class BodyTooLarge(BadRequestException):
    """A request body over the server's limit: the modeled class, with HTTP's own status."""

    status = 413


class HeadTooLarge(BadRequestException):
    """A request line and headers over the server's limit."""

    status = 431


_ALL_ERRORS: tuple[type[ChimeError], ...] = (
    *MODELED_ERRORS,
    UnknownOperationException,
    NotImplementedOperation,
    UnrecognizedClientException,
    InvalidSignatureException,
)
ERRORS_BY_SHAPE: dict[str, type[ChimeError]] = {cls.shape: cls for cls in _ALL_ERRORS}
