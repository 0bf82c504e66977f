"""VINR's Python SDK.

Two ways to call the API, the same methods behind both::

    import vinr
    vinr.api_key = "sk_test_..."            # default: VINR_SECRET_KEY
    payment = vinr.Payment.create(amount=5000, currency="EUR", payment_method="pm_card_visa")

    client = vinr.VinrClient(api_key="sk_test_...")
    payment = client.payments.create(amount=5000, currency="EUR", payment_method="pm_card_visa")
"""

from __future__ import annotations

from typing import Any, Optional

from . import objects, webhooks
from ._api import VERSION as __version__
from ._api import ListObject, VinrObject
from ._resources import MODULE_CLASSES
from .client import VinrClient
from .errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    CardError,
    IdempotencyError,
    InvalidRequestError,
    PermissionError,
    RateLimitError,
    SignatureVerificationError,
    VinrError,
)

# Module settings for the module style (`vinr.Payment.create(...)`); None means the
# environment's VINR_SECRET_KEY, VINR_API_BASE and VINR_WEBHOOK_SECRET.
api_key: Optional[str] = None
api_base: Optional[str] = None
webhook_secret: Optional[str] = None
max_retries: int = 2
timeout: float = 30.0

_default: Optional[tuple[tuple[Any, ...], VinrClient]] = None


def default_client() -> VinrClient:
    """The client the module style uses, made again when a module setting changes."""
    global _default
    settings = (api_key, api_base, webhook_secret, max_retries, timeout)
    if _default is None or _default[0] != settings:
        if _default is not None:
            _default[1].close()
        client = VinrClient(
            api_key, api_base=api_base, webhook_secret=webhook_secret, max_retries=max_retries, timeout=timeout
        )
        _default = (settings, client)
    return _default[1]


class _ModuleResource:
    """``vinr.Payment``: each method call goes to the module's default client."""

    def __init__(self, name: str, cls: type) -> None:
        self._name = name
        self._cls = cls

    def __getattr__(self, method: str) -> Any:
        return getattr(self._cls(default_client().http), method)

    def __dir__(self) -> list[str]:
        return [m for m in dir(self._cls) if not m.startswith("_")]

    def __repr__(self) -> str:
        return f"vinr.{self._name}"


for _name, _cls in MODULE_CLASSES.items():
    globals()[_name] = _ModuleResource(_name, _cls)

__all__ = [
    "__version__",
    "VinrClient",
    "VinrObject",
    "ListObject",
    "webhooks",
    "VinrError",
    "CardError",
    "InvalidRequestError",
    "AuthenticationError",
    "PermissionError",
    "IdempotencyError",
    "RateLimitError",
    "APIError",
    "APIConnectionError",
    "SignatureVerificationError",
    "default_client",
    *MODULE_CLASSES,
]
