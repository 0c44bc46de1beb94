"""The customs platform, as bondline talks to it: messages out (XML, customs-messages-1.0), receipts in from a feed
with a cursor. ``HttpPlatform`` speaks the protocol the customs simulator serves (``services/customs_simulator``);
an adapter to a zone's real platform client implements the same two calls."""
from __future__ import annotations

from typing import Protocol

import httpx


class PlatformError(RuntimeError):
    """The platform refused a document or could not be reached (the message stays pending and is sent again)."""


class Platform(Protocol):
    async def send(self, document: bytes) -> None: ...

    async def receipts(self, after: int, limit: int = 100) -> tuple[list[bytes], int]: ...


class HttpPlatform:
    def __init__(self, base_url: str, transport: httpx.AsyncBaseTransport | None = None,
                 timeout_s: float = 10.0) -> None:
        self.client = httpx.AsyncClient(base_url=base_url.rstrip("/"), transport=transport, timeout=timeout_s)

    async def send(self, document: bytes) -> None:
        try:
            r = await self.client.post("/v1/messages", content=document,
                                       headers={"Content-Type": "application/xml"})
        except httpx.HTTPError as exc:
            raise PlatformError(f"customs platform unreachable: {type(exc).__name__}: {exc}") from None
        if r.status_code >= 300:
            raise PlatformError(f"customs platform refused the message: {r.status_code} {r.text[:300]}")

    async def receipts(self, after: int, limit: int = 100) -> tuple[list[bytes], int]:
        """Receipts after position ``after``, and the position to ask from next."""
        try:
            r = await self.client.get("/v1/receipts", params={"after": after, "limit": limit})
            r.raise_for_status()
        except httpx.HTTPError as exc:
            raise PlatformError(f"customs platform feed unreachable: {type(exc).__name__}: {exc}") from None
        body = r.json()
        return [item["receipt"].encode() for item in body["receipts"]], int(body["next_after"])

    async def close(self) -> None:
        await self.client.aclose()
