"""The HTTP runtime every resource method goes through: keys, JSON bodies, query strings,
idempotency keys, retries with jittered backoff, errors as classes, objects with attribute
access, and list pagination."""

from __future__ import annotations

import json
import os
import random
import re
import time
import uuid
from typing import Any, Callable, Generic, Iterator, Mapping, Optional, TypeVar
from urllib.parse import quote, urlencode

import httpx

from .errors import APIConnectionError, error_from_response

VERSION = "0.1.0"
DEFAULT_API_BASE = "http://127.0.0.1:3000"

Params = Optional[Mapping[str, Any]]

# Keyword arguments of every method that are options of the call, not API parameters.
REQUEST_OPTIONS = ("idempotency_key", "api_key", "max_retries", "timeout")


def to_snake(key: str) -> str:
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key).lower()


def snake_keys(value: Any, in_metadata: bool = False) -> Any:
    """Request parameters with every key snake_case, except inside ``metadata`` (the
    merchant's own keys)."""
    if isinstance(value, (list, tuple)):
        return [snake_keys(v) for v in value]
    if not isinstance(value, Mapping):
        return value
    out = {}
    for key, v in value.items():
        if v is None and not in_metadata:
            continue
        name = key if in_metadata else to_snake(str(key))
        out[name] = v if in_metadata else snake_keys(v, name == "metadata")
    return out


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def query_string(params: Mapping[str, Any]) -> str:
    """``params`` as a query string with bracket nesting (``expand[]=customer``,
    ``created[gte]=1``)."""
    pairs: list[tuple[str, str]] = []

    def add(key: str, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, (list, tuple)):
            for v in value:
                add(f"{key}[]", v)
        elif isinstance(value, Mapping):
            for k, v in value.items():
                add(f"{key}[{k}]", v)
        else:
            pairs.append((key, _scalar(value)))

    for k, v in snake_keys(params).items():
        add(k, v)
    return urlencode(pairs)


def retry_delay(attempt: int, retry_after: str | None, cap: float) -> float:
    """Seconds before retry ``attempt`` (1, 2, …): exponential from 0.5 s, capped, with jitter
    (half to all of it) so that many clients do not retry in step; a 429's ``Retry-After``
    (seconds) is honoured when longer."""
    base = min(cap, 0.5 * 2 ** (attempt - 1))
    jittered = base * (0.5 + random.random() / 2)
    asked = 0.0
    if retry_after is not None and re.fullmatch(r"\d+(\.\d+)?", retry_after.strip()):
        asked = float(retry_after)
    return min(max(jittered, asked), max(cap, asked))


class VinrObject(dict):
    """An API object: a dict of the API's snake_case properties that also answers to them as
    attributes (``payment.checkout_url``)."""

    def __getattr__(self, name: str) -> Any:
        if name in self:
            return self[name]
        # An event's `data` answers for its object (`event.data.customer`), as the guides read
        # it; only event data holds an object under `object` (every API object's `object` is
        # its type's name).
        inner = self.get("object")
        if isinstance(inner, VinrObject) and not name.startswith("_"):
            return getattr(inner, name)
        raise AttributeError(f"{type(self).__name__} has no {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            self[name] = value


T = TypeVar("T", bound=VinrObject)


class ListObject(VinrObject, Generic[T]):
    """A page of a list (``data``, ``has_more``) of ``T`` (``ListObject[Payment]``, for type
    checkers). Iterating it gives this page's objects; ``auto_paging_iter()`` gives every
    object, fetching the following pages as it goes."""

    data: list[T]
    has_more: bool
    _fetch: Optional[Callable[[dict[str, Any]], "ListObject[T]"]] = None
    _params: dict[str, Any] = {}

    def __iter__(self) -> Iterator[T]:  # type: ignore[override]
        return iter(self.get("data", []))

    def auto_paging_iter(self) -> Iterator[T]:
        page: ListObject[T] = self
        params = dict(self._params)
        while True:
            data = page.get("data", [])
            yield from data
            if not page.get("has_more") or not data or page._fetch is None:
                return
            # Backwards when the caller started with ending_before, else forwards.
            if "ending_before" in params:
                params["ending_before"] = data[0]["id"]
            else:
                params["starting_after"] = data[-1]["id"]
            page = page._fetch(dict(params))


# An answer's class by its `object` (`payment` → `vinr.objects.Payment`), filled by objects.py.
OBJECT_CLASSES: dict[str, type[VinrObject]] = {}


def convert(value: Any) -> Any:
    """JSON as the SDK returns it: objects with attribute access (an instance of their class in
    ``vinr.objects``), lists as ``ListObject``."""
    if isinstance(value, list):
        return [convert(v) for v in value]
    if isinstance(value, dict):
        kind = value.get("object")
        cls: type[VinrObject] = VinrObject
        if kind == "list":
            cls = ListObject
        elif isinstance(kind, str):
            cls = OBJECT_CLASSES.get(kind, VinrObject)
        return cls({k: convert(v) for k, v in value.items()})
    return value


class HttpClient:
    """One configuration (key, base URL, retries, timeout) and its pooled connections."""

    def __init__(
        self,
        api_key: str | None = None,
        api_base: str | None = None,
        max_retries: int = 2,
        timeout: float = 30.0,
        max_retry_delay: float = 8.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.api_key = api_key or os.environ.get("VINR_SECRET_KEY", "")
        self.api_base = (api_base or os.environ.get("VINR_API_BASE") or DEFAULT_API_BASE).rstrip("/")
        self.max_retries = max_retries
        self.timeout = timeout
        self.max_retry_delay = max_retry_delay
        self._http = httpx.Client(transport=transport)

    def close(self) -> None:
        self._http.close()

    def request(self, method: str, path: str, params: Mapping[str, Any] | None = None, **options: Any) -> Any:
        """One API call: ``path`` below the base URL (``/v1/payments``), ``params`` as the query
        of a GET or DELETE, else as the JSON body. ``options``: ``idempotency_key``,
        ``api_key``, ``max_retries``, ``timeout``."""
        params = params or {}
        bodyless = method in ("GET", "DELETE")
        url = self.api_base + path
        if bodyless:
            query = query_string(params)
            if query:
                url += "?" + query
        headers = {
            "x-api-key": options.get("api_key") or self.api_key,
            "accept": "application/json",
            "user-agent": f"vinr-python/{VERSION}",
        }
        content = None
        if not bodyless:
            headers["content-type"] = "application/json"
            headers["idempotency-key"] = options.get("idempotency_key") or f"vinr-python-{uuid.uuid4()}"
            content = json.dumps(snake_keys(params)).encode()
        retries = options.get("max_retries")
        retries = self.max_retries if retries is None else retries
        timeout = options.get("timeout") or self.timeout
        attempt = 0
        while True:
            try:
                response = self._http.request(method, url, headers=headers, content=content, timeout=timeout)
            except httpx.TransportError as cause:
                if attempt < retries:
                    attempt += 1
                    time.sleep(retry_delay(attempt, None, self.max_retry_delay))
                    continue
                if isinstance(cause, httpx.TimeoutException):
                    message = f"No answer from {self.api_base} within {timeout} s."
                else:
                    message = f"Could not reach {self.api_base}: {cause}"
                raise APIConnectionError(message, type="connection_error") from cause
            request_id = response.headers.get("x-request-id")
            if (response.status_code == 429 or response.status_code >= 500) and attempt < retries:
                attempt += 1
                time.sleep(retry_delay(attempt, response.headers.get("retry-after"), self.max_retry_delay))
                continue
            try:
                parsed = response.json() if response.content else {}
            except ValueError:
                parsed = None
            if response.status_code >= 400:
                raise error_from_response(parsed, response.status_code, request_id)
            if parsed is None:
                raise error_from_response(None, response.status_code if response.status_code >= 500 else 502, request_id)
            return convert(parsed)


def _id(value: str) -> str:
    """An id as a path segment."""
    return quote(str(value), safe="")


class Resource:
    """What the generated resource classes are built from: a client, and one call per method."""

    def __init__(self, client: HttpClient) -> None:
        self._client = client

    @staticmethod
    def _split(params: Params, kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        merged = {**(params or {}), **kwargs}
        options = {k: merged.pop(k) for k in REQUEST_OPTIONS if k in merged}
        return merged, options

    def _request(self, method: str, path: str, params: Params, kwargs: dict[str, Any]) -> Any:
        body, options = self._split(params, kwargs)
        return self._client.request(method, path, body, **options)

    def _list(self, path: str, params: Params, kwargs: dict[str, Any]) -> ListObject[Any]:
        query, options = self._split(params, kwargs)

        def fetch(q: dict[str, Any]) -> ListObject[Any]:
            page = self._client.request("GET", path, q, **options)
            if not isinstance(page, ListObject):
                raise error_from_response(None, 502, None)
            page._fetch = fetch
            page._params = q
            return page

        return fetch(query)
