"""The API's error vocabulary: an exception carrying status + type, and the JSON error body."""
from __future__ import annotations

# Status <-> error type, as documented for the Messages API.
STATUS_BY_TYPE: dict[str, int] = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "overloaded_error": 529,
}
# Note: the SDK's `ErrorResponse` union has no `request_too_large` member, but the API documents
# and sends it for 413 (the body comes from the API's edge); the simulator follows the API.


def error_type_for_status(status: int) -> str:
    """The error type for a status the table has no row for: the API documents that it uses
    invalid_request_error for other 4XX codes (414, 431...), and api_error stands for 5XX."""
    for error_type, known in STATUS_BY_TYPE.items():
        if known == status:
            return error_type
    return "invalid_request_error" if status < 500 else "api_error"


class ApiError(Exception):
    """An error the simulator answers with, exactly as the API would (status, type, message)."""

    def __init__(self, error_type: str, message: str, *, headers: dict[str, str] | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.status = status or STATUS_BY_TYPE[error_type]
        self.message = message
        self.headers = dict(headers or {})

    def body(self, request_id: str) -> dict:
        """The API's JSON error body."""
        return {
            "type": "error",
            "error": {"type": self.error_type, "message": self.message},
            "request_id": request_id,
        }


def invalid_request(message: str) -> ApiError:
    """A 400 invalid_request_error, the most common validation failure."""
    return ApiError("invalid_request_error", message)


def not_found(message: str) -> ApiError:
    """A 404 not_found_error."""
    return ApiError("not_found_error", message)
