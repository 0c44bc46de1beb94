"""Dispatch's event handling is not serialised across its instances (issue 13): no global lock on the event path.

Two consumers of dispatch's group own different partitions, so they handle different units at the same moment,
each in its own transaction. Here the first consumer's transaction (unit u1: its item and its ledger line) is
left open while the second handles unit u2 and commits. With the journal's global advisory lock that dispatch used
to take on every event, the second would wait for the first's commit and never get there; a deadlock detector
(not a timing: the second is given ten seconds to finish work that takes milliseconds) fails the test then.
Ordering per unit comes from the partition: a unit's events are all on one, read by one consumer.
"""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from services.dispatch.db.ledger import LedgerLineRow
from services.dispatch.messaging.handlers import HANDLERS
from shared.contract.events.common import Money
from shared.contract.events.intake import UnitReceived
from shared.contract.registry import REGISTRY
from tests.support.runtime import runtime

NOW = datetime.now(timezone.utc)
DEADLOCK_S = 10.0


def received(unit_id: str) -> UnitReceived:
    return UnitReceived(unit_id=unit_id, owner_id="fab-1", serial_number=f"SN-{unit_id}", part_number="P",
                        hs_code="8486909000", origin="foreign", origin_country="KR",
                        declared_value=Money(amount="42000.00", currency="USD"), custody_location="awaiting repair",
                        received_at=NOW, catalogue_version=1)


async def handle(uow, payload) -> None:  # type: ignore[no-untyped-def]
    ce = REGISTRY.to_event(payload, "/bondline/intake")
    await HANDLERS[ce.type](uow, payload, ce)


async def lines(rt) -> int:  # type: ignore[no-untyped-def]
    async with rt.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(LedgerLineRow)) or 0)


@pytest.fixture
async def rt(pg_url, monkeypatch):  # type: ignore[no-untyped-def]
    r = runtime("dispatch", pg_url, monkeypatch)
    yield r
    await r.dispose()


async def test_two_units_are_handled_at_the_same_time(rt):
    async with rt.uow() as first:
        await handle(first, received("u1"))  # in flight: item and ledger line written, not committed
        async with rt.uow() as second:
            await asyncio.wait_for(handle(second, received("u2")), DEADLOCK_S)
            await asyncio.wait_for(second.commit(), DEADLOCK_S)
        assert await lines(rt) == 1  # u2's line is committed while u1's transaction is still open
        await first.commit()
    assert await lines(rt) == 2
