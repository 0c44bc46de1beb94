"""The outbound HTTP side of webhooks: refuse internal targets unless allowed, POST, report what happened.

The address check happens where the connection is made: the host is resolved once, every address it
resolves to is checked, and the socket connects to a checked address. A DNS answer that changes between a
check and the connect (rebinding) therefore cannot steer a delivery to an internal address. TLS still
verifies the certificate against the URL's host name.
"""
from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from services.kit.errors import RuleViolation
from services.partners.domain.webhooks import check_url, refused_address


class TargetRefused(httpcore.ConnectError):
    """The host resolved to an address webhooks must not reach."""


async def resolve_allowed(host: str, port: int) -> list[str]:
    """The host's addresses, all of them allowed; raises TargetRefused otherwise."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise TargetRefused(f"cannot resolve {host}: {exc}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    reasons = [r for r in map(refused_address, addresses) if r]
    if reasons or not addresses:
        raise TargetRefused(f"refused target {host}: {reasons[0] if reasons else 'no address'}")
    return addresses


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects only to addresses that passed the check, resolved here and nowhere else."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        addresses, last = await resolve_allowed(host, port), None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                                     socket_options=socket_options)
            except httpcore.ConnectError as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        raise TargetRefused("unix sockets are not webhook targets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _pinned_transport() -> httpx.AsyncHTTPTransport:
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    transport._pool = httpcore.AsyncConnectionPool(  # the same pool httpx builds, with the checking backend
        ssl_context=httpx.create_ssl_context(trust_env=False), network_backend=_PinnedBackend())
    return transport


class HttpSender:
    def __init__(self, timeout_s: float, allow_private: bool) -> None:
        self._timeout, self._allow_private = timeout_s, allow_private

    async def send(self, url: str, headers: dict[str, str], body: bytes) -> tuple[int | None, str | None, int]:
        started = time.monotonic()
        try:
            check_url(url)
        except RuleViolation as exc:
            return None, str(exc), 0
        transport = None if self._allow_private else _pinned_transport()
        try:
            async with httpx.AsyncClient(timeout=self._timeout, follow_redirects=False, trust_env=False,
                                         transport=transport) as client:
                response = await client.post(url, content=body, headers=headers)
            return response.status_code, None if response.is_success else response.text[:500], _ms(started)
        except httpx.ConnectError as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, TargetRefused):
                return None, str(cause), 0
            return None, f"{type(exc).__name__}: {exc}"[:500], _ms(started)
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"[:500], _ms(started)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def sender_for_settings(settings: Any) -> HttpSender:
    return HttpSender(settings.webhook_timeout_s, settings.webhook_allow_private_targets)
