"""The relay reads every send future it gets, even after a failure: a broker outage mid-batch used to
leave hundreds of "Future exception was never retrieved" lines in a service's log."""
from __future__ import annotations

import asyncio
import contextlib
import gc
from typing import Any

from services.intake.db.tables import outbox
from shared.messaging.fakes import FakeBroker, FakeProducer
from shared.messaging.relay import Relay
from tests.integration.test_outbox_relay import units
from tests.support.runtime import runtime


class OutageProducer(FakeProducer):
    """Takes every send, then fails every delivery, as a producer does when its broker goes away."""

    async def send(self, topic: str, value: bytes | None = None, key: bytes | None = None,
                   headers: Any = None) -> asyncio.Future[Any]:
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().call_soon(fut.set_exception, ConnectionError("broker went away"))
        return fut


async def test_a_failed_batch_leaves_no_future_unread(db_url, monkeypatch):
    rt = runtime("intake", db_url, monkeypatch)
    for i in range(5):
        await units.receive_unit(rt.uow(), f"SN-{i}", "clerk")
    loop, reported = asyncio.get_running_loop(), []
    loop.set_exception_handler(lambda _loop, context: reported.append(context["message"]))
    try:
        relay = Relay(rt.sessions, outbox, lambda: OutageProducer(FakeBroker()), rt.signal, rt.metrics)
        # the ConnectionError is expected; not kept, so that nothing holds on to the relay's futures
        with contextlib.suppress(ConnectionError):
            await relay.step()
        await asyncio.sleep(0.01)
        gc.collect()
        assert reported == []
    finally:
        loop.set_exception_handler(None)
    await rt.dispose()
