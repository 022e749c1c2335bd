"""The one error table: every failure the API reports, its HTTP status and envelope type.

Domain code raises these; the pipeline turns them into API.md's envelope. Nothing
matches on messages: callers and tests look at `code`.
"""

from __future__ import annotations

from typing import Any, ClassVar

# code -> (HTTP status, envelope type). One row per code the contract names.
ERROR_TABLE: dict[str, tuple[int, str]] = {
    "parameter_missing": (400, "invalid_request_error"),
    "parameter_invalid": (400, "invalid_request_error"),
    "parameter_unknown": (400, "invalid_request_error"),
    "body_not_json": (400, "invalid_request_error"),
    "idempotency_key_invalid": (400, "invalid_request_error"),
    "api_key_missing": (401, "authentication_error"),
    "api_key_invalid": (401, "authentication_error"),
    "api_key_revoked": (401, "authentication_error"),
    "signature_missing": (401, "authentication_error"),
    "signature_invalid": (401, "authentication_error"),
    "digest_mismatch": (401, "authentication_error"),
    "timestamp_out_of_range": (401, "authentication_error"),
    "scope_missing": (403, "permission_error"),
    "resource_missing": (404, "invalid_request_error"),
    "method_not_allowed": (405, "invalid_request_error"),
    "resource_already_exists": (409, "invalid_request_error"),
    "state_conflict": (409, "invalid_request_error"),
    "duplicate_idempotency_key": (409, "idempotency_error"),
    "idempotency_key_in_flight": (409, "idempotency_error"),
    "challenge_missing": (409, "invalid_request_error"),
    "challenge_used": (409, "invalid_request_error"),
    "challenge_expired": (409, "invalid_request_error"),
    "body_too_large": (413, "invalid_request_error"),
    "customer_not_active": (422, "invalid_request_error"),
    "capability_missing": (422, "invalid_request_error"),
    "limit_exceeded": (422, "invalid_request_error"),
    "reference_invalid": (422, "invalid_request_error"),
    "scheme_unsupported": (422, "invalid_request_error"),
    "amount_mismatch": (422, "invalid_request_error"),
    "instrument_mismatch": (422, "invalid_request_error"),
    "account_not_allowed": (422, "invalid_request_error"),
    "insufficient_funds": (422, "invalid_request_error"),
    "signature_mismatch": (422, "invalid_request_error"),
    "too_many_requests": (429, "rate_limit_error"),
    "internal": (500, "api_error"),
}


class ApiError(Exception):
    """A failure with a stable code; status and type come from ERROR_TABLE."""

    code: ClassVar[str] = "internal"

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code  # type: ignore[misc]
        if self.code not in ERROR_TABLE:
            raise ValueError(f"unknown error code {self.code}")
        self.message = message
        self.param = param
        self.headers = headers or {}

    @property
    def status(self) -> int:
        return ERROR_TABLE[self.code][0]

    @property
    def type(self) -> str:
        return ERROR_TABLE[self.code][1]

    def envelope(self, request_id: str) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.type, "code": self.code, "message": self.message}
        if self.param is not None:
            error["param"] = self.param
        error["requestId"] = request_id
        return {"error": error}


# One named class per code, so domain code reads `raise StateConflict(...)`.
class ParameterMissing(ApiError):
    code = "parameter_missing"


class ParameterInvalid(ApiError):
    code = "parameter_invalid"


class ParameterUnknown(ApiError):
    code = "parameter_unknown"


class BodyNotJson(ApiError):
    code = "body_not_json"


class IdempotencyKeyInvalid(ApiError):
    code = "idempotency_key_invalid"


class ApiKeyMissing(ApiError):
    code = "api_key_missing"


class ApiKeyInvalid(ApiError):
    code = "api_key_invalid"


class ApiKeyRevoked(ApiError):
    code = "api_key_revoked"


class SignatureMissing(ApiError):
    code = "signature_missing"


class SignatureInvalid(ApiError):
    code = "signature_invalid"


class DigestMismatch(ApiError):
    code = "digest_mismatch"


class TimestampOutOfRange(ApiError):
    code = "timestamp_out_of_range"


class ScopeMissing(ApiError):
    code = "scope_missing"


class ResourceMissing(ApiError):
    code = "resource_missing"


class MethodNotAllowed(ApiError):
    code = "method_not_allowed"


class AlreadyExists(ApiError):
    code = "resource_already_exists"


class StateConflict(ApiError):
    code = "state_conflict"


class DuplicateIdempotencyKey(ApiError):
    code = "duplicate_idempotency_key"


class IdempotencyKeyInFlight(ApiError):
    code = "idempotency_key_in_flight"


class BodyTooLarge(ApiError):
    code = "body_too_large"


class LimitExceeded(ApiError):
    code = "limit_exceeded"


class ReferenceInvalid(ApiError):
    code = "reference_invalid"


class CustomerNotActive(ApiError):
    code = "customer_not_active"


class CapabilityMissing(ApiError):
    code = "capability_missing"


class SchemeUnsupported(ApiError):
    code = "scheme_unsupported"


class AmountMismatch(ApiError):
    code = "amount_mismatch"


class InstrumentMismatch(ApiError):
    code = "instrument_mismatch"


class AccountNotAllowed(ApiError):
    code = "account_not_allowed"


class InsufficientFunds(ApiError):
    code = "insufficient_funds"


class TooManyRequests(ApiError):
    code = "too_many_requests"


class InternalError(ApiError):
    code = "internal"


class ChallengeMissing(ApiError):
    code = "challenge_missing"


class ChallengeUsed(ApiError):
    code = "challenge_used"


class ChallengeExpired(ApiError):
    code = "challenge_expired"


class SignatureMismatch(ApiError):
    code = "signature_mismatch"


class RaceLost(StateConflict):
    """A conditional write lost to a concurrent request. The pipeline runs the endpoint
    again (it re-reads and decides anew); only when that keeps failing does the partner
    see it, as `state_conflict`."""


class Contended(RaceLost):
    """A transaction DynamoDB kept cancelling for conflicts with others on its items (a
    hot item), after the store's retries: nothing was written. The pipeline runs the
    endpoint again while pipeline.CONTENTION_SECONDS allow, then answers 500 (not stored: the
    same Idempotency-Key may retry), never a `state_conflict` nobody lost."""
