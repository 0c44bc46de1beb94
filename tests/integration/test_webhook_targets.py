"""Webhook deliveries connect only to addresses that passed the check, so DNS rebinding cannot reach inside."""
from __future__ import annotations

import asyncio
import socket

import httpcore
import pytest

from services.partners.adapters.webhook_sender import HttpSender
from tests.support.receiver import Receiver, serve

HOST, PUBLIC = "hooks.rebind.example", "93.184.215.14"


@pytest.fixture
async def receiver():  # type: ignore[no-untyped-def]
    got = Receiver()
    server, task = await serve(got)
    yield got
    server.should_exit = True
    await task


def answer(monkeypatch: pytest.MonkeyPatch, addresses: list[str]) -> list[str]:
    """HOST resolves to ``addresses`` in turn (the last one from then on); other hosts as usual."""
    asked: list[str] = []
    original = asyncio.base_events.BaseEventLoop.getaddrinfo

    async def getaddrinfo(self, host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host != HOST:
            return await original(self, host, port, *args, **kwargs)
        address = addresses[min(len(asked), len(addresses) - 1)]
        asked.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(asyncio.base_events.BaseEventLoop, "getaddrinfo", getaddrinfo)
    return asked


async def test_a_host_that_resolves_inside_is_refused_and_nothing_is_sent(receiver, monkeypatch):
    answer(monkeypatch, ["127.0.0.1"])
    status, error, _ = await HttpSender(5, allow_private=False).send(f"http://{HOST}:{receiver.port}/hooks", {}, b"{}")
    assert status is None and error == f"refused target {HOST}: 127.0.0.1 is a loopback address"
    assert receiver.got == []


async def test_the_connection_goes_to_the_address_that_was_checked(receiver, monkeypatch):
    """Rebinding: the first answer is public, later ones point at a service on the loopback interface. A
    sender that checks one answer and lets the HTTP client resolve again would deliver to the receiver."""
    asked = answer(monkeypatch, [PUBLIC, "127.0.0.1"])
    connected: list[str] = []
    original = httpcore.AnyIOBackend.connect_tcp

    async def connect_tcp(self, host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        connected.append(host)
        if host == PUBLIC:  # no internet here: stand in for the public server being unreachable
            raise httpcore.ConnectError("public test address not reachable from the test")
        return await original(self, host, port, *args, **kwargs)

    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", connect_tcp)
    status, error, _ = await HttpSender(5, allow_private=False).send(f"http://{HOST}:{receiver.port}/hooks", {}, b"{}")
    assert connected == [PUBLIC] and asked == [PUBLIC]  # resolved once, connected to what was checked
    assert status is None and "not reachable" in (error or "")
    assert receiver.got == []


async def test_allowed_private_targets_are_reached(receiver):
    status, error, _ = await HttpSender(5, allow_private=True).send(receiver.url, {"x-test": "1"}, b"{}")
    assert (status, error) == (200, None) and receiver.got[0].headers["x-test"] == "1"
