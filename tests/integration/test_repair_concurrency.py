"""Concurrency: stock never goes negative and a work order never loses a change (real PostgreSQL and SQLite).

Requests run as concurrent asyncio tasks through the ASGI app, so each one is its own database transaction.
"""
from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import func, select

from services.kit.errors import Conflict
from services.repair.db.tables import ConsumptionRow, WorkOrderHistoryRow
from services.repair.service.common import load, save
from shared.clock import utc_now
from tests.integration.test_repair_helpers import QUOTE, TECH, TECH2, drive, post, receive_parts, release, repair
from tests.support.runtime import runtime

__all__ = ["repair"]


async def in_repair(c: httpx.AsyncClient, n: int) -> list[str]:
    ids = []
    for _ in range(n):
        wo_id = await release(c, warranty=True)  # warranty: the quote is skipped
        await drive(c, wo_id, "diagnosed")
        await post(c, f"/v1/work-orders/{wo_id}/quote", QUOTE)
        await post(c, f"/v1/work-orders/{wo_id}/repair/start")
        ids.append(wo_id)
    return ids


async def consume_all(c: httpx.AsyncClient, ids: list[str], part: str, quantity: int) -> list[int]:
    rs = await asyncio.gather(*(c.post(f"/v1/work-orders/{i}/parts/consumptions",
                                       json={"part_number": part, "quantity": quantity}, headers=TECH) for i in ids))
    assert {r.status_code for r in rs} <= {201, 409}, [r.text for r in rs]
    return [r.status_code for r in rs]


async def lots(c: httpx.AsyncClient, part: str) -> list[tuple[int, int]]:
    r = await c.get("/v1/parts/stock", params={"part_number": part}, headers=TECH)
    return [(lot["on_hand"], lot["reserved"]) for lot in r.json()]


async def consumed(c: httpx.AsyncClient) -> int:
    async with c.rt.sessions() as s:  # type: ignore[attr-defined]
        return int(await s.scalar(select(func.coalesce(func.sum(ConsumptionRow.quantity), 0))))


async def test_concurrent_consumption_never_overdraws_one_lot(repair):
    c = repair
    await receive_parts(c, "PN-C", 5)
    statuses = await consume_all(c, await in_repair(c, 12), "PN-C", 1)
    assert statuses.count(201) == 5 and statuses.count(409) == 7
    assert await lots(c, "PN-C") == [(0, 0)] and await consumed(c) == 5
    assert len((await c.get("/v1/old-parts", headers=TECH)).json()) == 5  # refused ones recorded nothing


async def test_concurrent_consumption_across_lots_takes_whole_lines_only(repair):
    c = repair
    await receive_parts(c, "PN-M", 3, lot="A")
    await receive_parts(c, "PN-M", 4, lot="B")
    statuses = await consume_all(c, await in_repair(c, 8), "PN-M", 2)
    assert statuses.count(201) == 3  # 7 pieces: three lines of 2; the 4th would need a piece that is not there
    assert sum(on_hand for on_hand, _ in await lots(c, "PN-M")) == 1 and await consumed(c) == 6


async def test_concurrent_reservations_never_exceed_stock(repair):
    c = repair
    await receive_parts(c, "PN-R", 4)
    ids = []
    for _ in range(6):
        ids.append(await release(c))
        await drive(c, ids[-1], "approved")
    rs = await asyncio.gather(*(c.post(f"/v1/work-orders/{i}/parts/requests",
                                       json={"lines": [{"part_number": "PN-R", "quantity": 1}]}, headers=TECH)
                                for i in ids))
    assert all(r.status_code == 200 for r in rs), [r.text for r in rs]
    assert sorted(r.json()["lines"][0]["reserved"] for r in rs) == [0, 0, 1, 1, 1, 1]
    assert await lots(c, "PN-R") == [(4, 4)]
    avail = (await c.get("/v1/parts/PN-R/availability", headers=TECH)).json()
    assert (avail["free"], avail["waiting"], avail["status"]) == (0, 2, "short")


async def test_two_technicians_start_the_same_work_order_one_wins(repair):
    c = repair
    wo_id = await release(c)
    rs = await asyncio.gather(c.post(f"/v1/work-orders/{wo_id}/diagnosis/start", headers=TECH),
                              c.post(f"/v1/work-orders/{wo_id}/diagnosis/start", headers=TECH2))
    assert sorted(r.status_code for r in rs) == [200, 409]
    history = (await c.get(f"/v1/work-orders/{wo_id}/history", headers=TECH)).json()["history"]
    assert [h["action"] for h in history] == ["open", "start_diagnosis"]


async def test_concurrent_bookings_lose_nothing(repair):
    c = repair
    wo_id = await release(c)
    await drive(c, wo_id, "diagnosing")
    rs = await asyncio.gather(*(c.post(f"/v1/work-orders/{wo_id}/labour", json={"minutes": m}, headers=TECH)
                                for m in range(1, 11)))
    won = [m for m, r in zip(range(1, 11), rs, strict=True) if r.status_code == 201]
    assert won and all(r.status_code in (201, 409) for r in rs)
    wo = (await c.get(f"/v1/work-orders/{wo_id}", headers=TECH)).json()
    entries = (await c.get(f"/v1/work-orders/{wo_id}/labour", headers=TECH)).json()
    assert wo["labour_minutes"] == sum(won) == sum(e["minutes"] for e in entries)


async def test_interleaved_technicians_the_second_writer_gets_409(pg_url, monkeypatch):
    """A reads, B reads, A writes and commits, B writes: B is refused and nothing of B's is stored."""
    rt = runtime("repair", pg_url, monkeypatch)
    app = __import__("services.repair.bootstrap", fromlist=["build_app"]).build_app(rt, False, False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r") as client:
        client.rt = rt  # type: ignore[attr-defined]
        wo_id = await release(client)
        await drive(client, wo_id, "diagnosing")
    async with rt.uow() as a, rt.uow() as b:
        wa, wb = await load(a, wo_id), await load(b, wo_id)
        wa.log_labour(10, "A", utc_now(), "technician:li")
        await save(a, wa, "technician:li", utc_now())
        await a.commit()
        wb.log_labour(20, "B", utc_now(), "technician:wang")
        with pytest.raises(Conflict, match="changed by someone else"):
            await save(b, wb, "technician:wang", utc_now())
    async with rt.sessions() as s:
        notes = list(await s.scalars(select(WorkOrderHistoryRow.note).where(
            WorkOrderHistoryRow.work_order_id == wo_id, WorkOrderHistoryRow.action == "log_labour")))
    async with rt.uow() as check:
        assert (await load(check, wo_id)).labour_minutes == 10 and notes == ["A"]
    await rt.dispose()


async def test_a_receipt_racing_a_completion_leaks_no_reservation(repair):
    """Parts arrive for a work order while it is being closed: either it gets them, or they stay free."""
    c = repair
    for i in range(4):
        wo_id = await release(c)
        await drive(c, wo_id, "approved")
        await post(c, f"/v1/work-orders/{wo_id}/parts/requests", {"lines": [{"part_number": f"PN-{i}", "quantity": 2}]})
        done, _ = await asyncio.gather(
            c.post(f"/v1/work-orders/{wo_id}/complete", json={"outcome": "beyond_repair"}, headers=TECH),
            receive_parts(c, f"PN-{i}", 3))
        assert done.status_code in (200, 409), done.text
        wo = (await c.get(f"/v1/work-orders/{wo_id}", headers=TECH)).json()
        avail = (await c.get(f"/v1/parts/PN-{i}/availability", headers=TECH)).json()
        held = 0 if wo["state"] == "beyond_repair" else 2
        assert (avail["on_hand"], avail["reserved"], avail["waiting"]) == (3, held, 0), (done.text, wo["state"])
