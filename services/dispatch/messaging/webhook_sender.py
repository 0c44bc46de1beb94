"""The outbound HTTP side of webhooks: refuse internal targets unless allowed, POST, report what happened."""
from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

import httpx

from services.dispatch.domain.webhooks import check_url, refused_address
from services.kit.errors import RuleViolation


class HttpSender:
    def __init__(self, timeout_s: float, allow_private: bool) -> None:
        self._timeout, self._allow_private = timeout_s, allow_private

    async def refused(self, url: str) -> str | None:
        """Why this URL must not be called (bad URL, or a host resolving to an internal address), else None."""
        try:
            host, port = check_url(url)
        except RuleViolation as exc:
            return str(exc)
        if self._allow_private:
            return None
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            return f"cannot resolve {host}: {exc}"
        reasons = [r for r in (refused_address(str(info[4][0])) for info in infos) if r]
        return f"refused target {host}: {reasons[0]}" if reasons else None

    async def send(self, url: str, headers: dict[str, str], body: bytes) -> tuple[int | None, str | None, int]:
        started = time.monotonic()
        refusal = await self.refused(url)
        if refusal:
            return None, refusal, 0
        try:
            async with httpx.AsyncClient(timeout=self._timeout, follow_redirects=False, trust_env=False) as client:
                response = await client.post(url, content=body, headers=headers)
            return response.status_code, None if response.is_success else response.text[:500], _ms(started)
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"[:500], _ms(started)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def sender_for_settings(settings: Any) -> HttpSender:
    return HttpSender(settings.webhook_timeout_s, settings.webhook_allow_private_targets)
