"""The consumer's side of gap recovery: ask a producing service for events its consumer missed."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx


class PeerUnavailable(RuntimeError):
    """The producer could not be asked (down, refused, answered garbage); the caller retries later."""


@dataclass(frozen=True)
class FetchedEvent:
    key: str
    sequence: int
    headers: list[tuple[str, bytes]]
    value: bytes


class PeerEvents:
    """HTTP client for ``/v1/events`` of each producer, keyed by CloudEvents source (``/bondline/intake``)."""

    def __init__(self, urls: dict[str, str], token: Callable[[], str], timeout_s: float = 10.0,
                 client: httpx.AsyncClient | None = None) -> None:
        self._urls, self._token, self._timeout = urls, token, timeout_s
        self._client = client

    def knows(self, source: str) -> bool:
        return source in self._urls

    @property
    def sources(self) -> list[str]:
        return list(self._urls)

    async def between(self, source: str, ranges: list[tuple[str, int, int | None]]) -> list[FetchedEvent]:
        """Events with after < sequence < before for each (key, after, before), in each key's order."""
        out: list[FetchedEvent] = []
        for i in range(0, len(ranges), 500):
            body = {"ranges": [{"key": k, "after": a, "before": b} for k, a, b in ranges[i:i + 500]]}
            out += [_fetched(e) for e in await self._call("POST", source, "/v1/events/ranges", json=body)]
        return out

    async def high_water(self, source: str, after_id: int, published_before: datetime) -> tuple[dict[str, int], int]:
        got = await self._call("GET", source, "/v1/events/high-water",
                               params={"after_id": after_id, "published_before": published_before.isoformat()})
        try:
            return {str(k): int(v) for k, v in got["heads"].items()}, int(got["next_after_id"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise PeerUnavailable(f"{source} answered a high-water mark that does not parse: {exc!r}") from exc

    async def _call(self, method: str, source: str, path: str, **kw: Any) -> Any:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout)
        url = self._urls[source].rstrip("/") + path
        try:
            r = await self._client.request(method, url, headers={"Authorization": f"Bearer {self._token()}"}, **kw)
        except httpx.HTTPError as exc:
            raise PeerUnavailable(f"{method} {url}: {type(exc).__name__} {exc}") from exc
        if r.status_code != 200:
            raise PeerUnavailable(f"{method} {url} answered {r.status_code}: {r.text[:300]}")
        return r.json()

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()


def _fetched(e: dict[str, Any]) -> FetchedEvent:
    try:
        return FetchedEvent(key=e["key"], sequence=int(e["sequence"]),
                            headers=[(str(k), str(v).encode()) for k, v in e["headers"]],
                            value=str(e["value"]).encode())
    except (KeyError, TypeError, ValueError) as exc:
        raise PeerUnavailable(f"a fetched event does not parse: {exc!r}") from exc
