"""Verifying VINR's webhook deliveries: synchronous, constant-time, either signature style.

Every delivery is signed twice with HMAC-SHA256 under the endpoint secret's decoded bytes
(``whsec_<base64>``): ``x-vinr-signature: t=<unix>,v1=<hex of HMAC("<t>.<body>")>`` and the
Standard Webhooks headers (``webhook-id``, ``webhook-timestamp``,
``webhook-signature: v1,<base64 of HMAC("<id>.<t>.<body>")>``). During a secret's rotation
each carries one signature per active secret, so either secret verifies.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import secrets
import time
from typing import Any, Mapping, Union

from .errors import SignatureVerificationError

DEFAULT_TOLERANCE = 300

Headers = Union[str, Mapping[str, Any], None]


def _key(secret: str) -> bytes:
    encoded = secret[len("whsec_") :] if secret.startswith("whsec_") else secret
    try:
        key = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if not key:
        raise SignatureVerificationError("bad_secret", "The secret is not a whsec_ secret with a base64 key.")
    return key


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    getter = getattr(headers, "get", None)
    for key in headers.keys():
        if str(key).lower() == name:
            value = headers[key]
            return ",".join(value) if isinstance(value, (list, tuple)) else str(value)
    # A case-insensitive mapping (a framework's headers) may not list its keys as sent.
    value = getter(name) if getter is not None else None
    return None if value is None else str(value)


def _check_timestamp(t: str, now: int, tolerance: int) -> None:
    if not re.fullmatch(r"\d+", t.strip()):
        raise SignatureVerificationError("malformed", "The signature's timestamp is not a number.")
    if abs(now - int(t.strip())) > tolerance:
        raise SignatureVerificationError("timestamp", "The timestamp is too far from now (replayed or clock skew).")


def _bytes(payload: str | bytes) -> bytes:
    return payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)


def verify_signature(
    payload: str | bytes,
    signature: Headers,
    secret: str,
    tolerance: int = DEFAULT_TOLERANCE,
    now: int | None = None,
) -> None:
    """Checks a delivery's signature. ``signature`` is the ``x-vinr-signature`` value or all the
    request's headers (then the Standard Webhooks headers are checked when present). Raises
    :class:`SignatureVerificationError`."""
    key = _key(secret)
    body = _bytes(payload)
    now = int(time.time()) if now is None else now
    # None, as a framework's headers.get("x-vinr-signature") answers without the header:
    # refused below as missing.
    headers: Mapping[str, Any] = {"x-vinr-signature": signature} if isinstance(signature, str) else (signature or {})
    msg_id = _header(headers, "webhook-id")
    t = _header(headers, "webhook-timestamp")
    sigs = _header(headers, "webhook-signature")
    if msg_id is not None and t is not None and sigs is not None:
        _check_timestamp(t, now, tolerance)
        expected = hmac.new(key, f"{msg_id}.{t.strip()}.".encode() + body, hashlib.sha256).digest()
        for candidate in sigs.split():
            if candidate.startswith("v1,"):
                try:
                    given = base64.b64decode(candidate[3:], validate=True)
                except (binascii.Error, ValueError):
                    continue
                if hmac.compare_digest(expected, given):
                    return
        raise SignatureVerificationError("mismatch", "No signature matches (wrong secret or altered body).")
    value = _header(headers, "x-vinr-signature")
    if value is None:
        raise SignatureVerificationError(
            "missing_headers", "No signature headers (webhook-signature or x-vinr-signature)."
        )
    timestamp = None
    given_hex = []
    for part in value.split(","):
        name, sep, v = part.partition("=")
        if not sep:
            continue
        if name.strip() == "t":
            timestamp = v.strip()
        elif name.strip() == "v1":
            given_hex.append(v.strip())
    if timestamp is None:
        raise SignatureVerificationError("malformed", "The signature has no timestamp.")
    _check_timestamp(timestamp, now, tolerance)
    expected = hmac.new(key, f"{timestamp}.".encode() + body, hashlib.sha256).digest()
    for h in given_hex:
        if re.fullmatch(r"[0-9a-fA-F]{64}", h) and hmac.compare_digest(expected, bytes.fromhex(h)):
            return
    raise SignatureVerificationError("mismatch", "No signature matches (wrong secret or altered body).")


def _default_secret(secret: str | None) -> str:
    if secret:
        return secret
    import vinr

    found = vinr.webhook_secret or os.environ.get("VINR_WEBHOOK_SECRET")
    if not found:
        raise ValueError("No webhook secret: pass one, or set vinr.webhook_secret / VINR_WEBHOOK_SECRET.")
    return found


def verify(
    payload: str | bytes,
    signature: Headers,
    secret: str | None = None,
    tolerance: int = DEFAULT_TOLERANCE,
    now: int | None = None,
) -> Any:
    """Verifies a delivery and returns the event (attribute access, snake_case). ``secret``
    defaults to ``vinr.webhook_secret``, else ``VINR_WEBHOOK_SECRET``."""
    from ._api import convert

    verify_signature(payload, signature, _default_secret(secret), tolerance, now)
    return convert(json.loads(_bytes(payload)))


def generate_test_headers(
    payload: str | bytes,
    secret: str | None = None,
    timestamp: int | None = None,
    msg_id: str | None = None,
) -> dict[str, str]:
    """Headers as VINR would send them for ``payload``, for testing a webhook handler: both
    styles, signed with ``secret`` at ``timestamp`` (default now)."""
    key = _key(_default_secret(secret))
    body = _bytes(payload)
    t = str(int(time.time()) if timestamp is None else timestamp)
    msg_id = msg_id or f"msg_{secrets.token_hex(12)}"
    hex_sig = hmac.new(key, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    b64 = base64.b64encode(hmac.new(key, f"{msg_id}.{t}.".encode() + body, hashlib.sha256).digest()).decode()
    return {
        "x-vinr-signature": f"t={t},v1={hex_sig}",
        "webhook-id": msg_id,
        "webhook-timestamp": t,
        "webhook-signature": f"v1,{b64}",
    }
