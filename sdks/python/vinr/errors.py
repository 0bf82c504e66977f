"""Errors as classes by the contract's ``type``, carrying what the API said about them."""

from __future__ import annotations

from typing import Any


class VinrError(Exception):
    """Any error the SDK raises for a request: ``type``, ``code``, ``param``,
    ``decline_code``, the HTTP status and the server's request id."""

    def __init__(
        self,
        message: str | None = None,
        *,
        type: str = "api_error",
        code: str | None = None,
        param: str | None = None,
        decline_code: str | None = None,
        http_status: int | None = None,
        request_id: str | None = None,
        json_body: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message or type)
        self.message = message or type
        self.type = type
        self.code = code
        self.param = param
        self.decline_code = decline_code
        self.http_status = http_status
        self.request_id = request_id
        self.json_body = json_body or {}

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, code={self.code!r}, "
            f"http_status={self.http_status!r}, request_id={self.request_id!r})"
        )


class CardError(VinrError):
    """A card was declined (402); ``payment`` is the failed payment."""

    @property
    def payment(self) -> Any:
        return self.json_body.get("payment")


class InvalidRequestError(VinrError):
    pass


class AuthenticationError(VinrError):
    pass


class PermissionError(VinrError):  # noqa: A001 - the contract's name, inside vinr.errors
    pass


class IdempotencyError(VinrError):
    pass


class RateLimitError(VinrError):
    pass


class APIError(VinrError):
    pass


class APIConnectionError(VinrError):
    """The server could not be reached, or did not answer in time (after the retries)."""


class SignatureVerificationError(VinrError):
    """A webhook delivery was refused; ``code`` says why: ``bad_secret``, ``missing_headers``,
    ``malformed``, ``timestamp`` or ``mismatch``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, type="signature_verification_error", code=code)


_BY_TYPE: dict[str, type[VinrError]] = {
    "card_error": CardError,
    "invalid_request_error": InvalidRequestError,
    "authentication_error": AuthenticationError,
    "permission_error": PermissionError,
    "idempotency_error": IdempotencyError,
    "rate_limit_error": RateLimitError,
    "api_error": APIError,
}


def error_from_response(body: Any, status: int, request_id: str | None) -> VinrError:
    """The error for an API answer ``{"error": {...}}`` with ``status``."""
    raw = body.get("error") if isinstance(body, dict) else None
    if not isinstance(raw, dict):
        raw = {
            "type": "api_error" if status >= 500 else "invalid_request_error",
            "message": f"HTTP {status}",
        }
    cls = _BY_TYPE.get(raw.get("type") or "", APIError)
    return cls(
        raw.get("message"),
        type=raw.get("type") or "api_error",
        code=raw.get("code"),
        param=raw.get("param"),
        decline_code=raw.get("decline_code"),
        http_status=status,
        request_id=request_id,
        json_body=raw,
    )
