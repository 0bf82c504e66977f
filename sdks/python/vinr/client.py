"""The client object: ``VinrClient(api_key=...)``, then ``client.payments.create(...)``."""

from __future__ import annotations

import os
from typing import Any

import httpx

from . import webhooks as _webhooks
from ._api import HttpClient
from ._resources import NAMESPACES, ClientNamespaces


class _Webhooks:
    """``client.webhooks.verify(...)`` with the client's webhook secret."""

    def __init__(self, secret: str | None) -> None:
        self._secret = secret

    def verify(
        self, payload: str | bytes, signature: Any, secret: str | None = None, tolerance: int = _webhooks.DEFAULT_TOLERANCE
    ) -> Any:
        return _webhooks.verify(payload, signature, secret or self._secret, tolerance)

    def generate_test_headers(self, payload: str | bytes, secret: str | None = None) -> dict[str, str]:
        return _webhooks.generate_test_headers(payload, secret or self._secret)


class VinrClient(ClientNamespaces):
    """A VINR client. ``api_key`` defaults to ``VINR_SECRET_KEY``, ``api_base`` to
    ``VINR_API_BASE`` (else http://127.0.0.1:3000), ``webhook_secret`` to
    ``VINR_WEBHOOK_SECRET``. Its resources are attributes: ``client.payments``,
    ``client.loyalty.points``…"""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        api_base: str | None = None,
        webhook_secret: str | None = None,
        max_retries: int = 2,
        timeout: float = 30.0,
        max_retry_delay: float = 8.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.http = HttpClient(api_key, api_base, max_retries, timeout, max_retry_delay, transport)
        self.webhooks = _Webhooks(webhook_secret or os.environ.get("VINR_WEBHOOK_SECRET"))
        for name, cls in NAMESPACES.items():
            setattr(self, name, cls(self.http))

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "VinrClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        # Only reached for names that are neither set above nor methods: say which exist.
        raise AttributeError(f"VinrClient has no resource {name!r}; it has {', '.join(sorted(NAMESPACES))}")
