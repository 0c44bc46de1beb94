"""HTTP calls that ride out a fault: transport errors, 5xx and in-progress idempotent requests are retried."""
from __future__ import annotations

import time
from typing import Any

import httpx

RETRY_STATUSES = frozenset({500, 502, 503, 504})


class LoadError(RuntimeError):
    """The loader could not drive a unit (the API kept failing or answered something unexpected)."""


def _retryable(r: httpx.Response) -> bool:
    return r.status_code in RETRY_STATUSES or (r.status_code == 409 and "in progress" in r.text)


def call(client: httpx.Client, method: str, url: str, *, headers: dict[str, str], key: str | None = None,
         json: Any = None, params: Any = None, patience_s: float = 120.0) -> httpx.Response:
    """One request, repeated until it gets an answer that is not a fault; POSTs carry ``Idempotency-Key: key``."""
    if key is not None:
        headers = headers | {"Idempotency-Key": key}
    deadline, last = time.monotonic() + patience_s, "no answer"
    while time.monotonic() < deadline:
        try:
            r = client.request(method, url, headers=headers, json=json, params=params)
            if not _retryable(r):
                return r
            last = f"{r.status_code} {r.text[:200]}"
        except httpx.TransportError as exc:
            last = repr(exc)
        time.sleep(0.5)
    raise LoadError(f"{method} {url}: still failing after {patience_s:.0f}s: {last}")


def ok(r: httpx.Response) -> bool:
    return 200 <= r.status_code < 300


def get_json(client: httpx.Client, url: str, headers: dict[str, str], params: Any = None) -> Any:
    r = call(client, "GET", url, headers=headers, params=params)
    if not ok(r):
        raise LoadError(f"GET {url} {params or ''}: {r.status_code} {r.text[:300]}")
    return r.json()
