"""Repair's parts and old parts through the HTTP API, on SQLite and PostgreSQL: stock fed by intake's events,
reservations that wait for deliveries, short stock, old parts with deadlines and disposal routes."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.kit.errors import RuleViolation
from services.repair.messaging.handlers import on_exit_declared
from shared.contract.events.dispatch import ExitDeclared
from shared.contract.registry import REGISTRY
from tests.integration.test_repair_helpers import (
    ADMIN,
    OWNER,
    QUOTE,
    TECH,
    drive,
    events,
    post,
    receive_parts,
    release,
    repair,
)

__all__ = ["repair"]


async def test_old_part_is_tied_to_its_unit_with_deadline_and_routes(repair):
    c = repair
    await receive_parts(c, "PN-RF", 1, bonded=False, origin="domestic", value="80.00")
    wo_id = await release(c, origin="domestic", owner="oem-sz")
    wo = await drive(c, wo_id, "diagnosed")
    r = await c.put(f"/v1/owner-agreements/{wo['owner_id']}", json={"skip_quote": True, "reference": "MSA-2026"},
                    headers=ADMIN)
    assert r.status_code == 200 and r.json()["version"] == 1
    skipped = await post(c, f"/v1/work-orders/{wo_id}/quote", QUOTE)
    assert skipped["state"] == "approved" and skipped["quote"]["skip_reason"] == "owner_agreement"
    await post(c, f"/v1/work-orders/{wo_id}/repair/start")
    consumed = await post(c, f"/v1/work-orders/{wo_id}/parts/consumptions",
                          {"part_number": "PN-RF", "quantity": 1}, expect=201)
    [old] = (await c.get("/v1/old-parts", params={"unit_id": wo["unit_id"]}, headers=TECH)).json()
    assert old["id"] == consumed["old_part_id"] and old["origin"] == "domestic" and old["work_order_id"] == wo_id
    assert old["allowed_routes"] == ["gate_registration", "destruction"]
    removed = datetime.fromisoformat(old["removed_at"])
    assert datetime.fromisoformat(old["disposal_deadline"]) - removed == timedelta(days=45)  # REPAIR_ setting
    with pytest.raises(RuleViolation, match="allowed: gate_registration, destruction"):
        await dispatch_declares(c, old, "re_export", "0864", {"bonded_inventory_list_no": "X1"})
    await dispatch_declares(c, old, "gate_registration", "", {"gate_pass_no": "GR77000000"})
    [ok] = (await c.get("/v1/old-parts", params={"unit_id": wo["unit_id"]}, headers=TECH)).json()
    assert ok["disposed_by"] == "event:/bondline/dispatch" and ok["late"] is False and ok["supervision_mode"] is None
    await dispatch_declares(c, old, "destruction", "0200", {"bonded_inventory_list_no": "D"})  # already: no change
    disposed = [d for k, _, d in await events(c) if k == "old_part.disposed"]
    assert disposed == [disposed[0]] and disposed[0]["unit_id"] == wo["unit_id"] and disposed[0]["route"] == \
        "gate_registration"
    assert (await c.get("/v1/old-parts", params={"disposed": "false"}, headers=TECH)).json() == []


async def test_foreign_old_parts_never_go_domestic(repair):
    c = repair
    await receive_parts(c, "PN-X", 1)
    wo_id = await release(c, warranty=True)
    await drive(c, wo_id, "diagnosed")
    assert (await post(c, f"/v1/work-orders/{wo_id}/quote", QUOTE))["quote"]["skip_reason"] == "warranty"
    await post(c, f"/v1/work-orders/{wo_id}/repair/start")
    old_id = (await post(c, f"/v1/work-orders/{wo_id}/parts/consumptions", {"part_number": "PN-X", "quantity": 1},
                         expect=201))["old_part_id"]
    due = (await c.get("/v1/old-parts", params={"due_within_days": 60}, headers=TECH)).json()
    assert [p["id"] for p in due] == [old_id]
    with pytest.raises(RuleViolation, match="never enter the domestic market"):
        await dispatch_declares(c, {"id": old_id, "unit_id": due[0]["unit_id"]}, "gate_registration", "", {})
    await dispatch_declares(c, {"id": old_id, "unit_id": due[0]["unit_id"]}, "re_export", "0865",
                            {"bonded_inventory_list_no": "QD224426E000000001"})
    [ok] = (await c.get("/v1/old-parts", params={"unit_id": due[0]["unit_id"]}, headers=TECH)).json()
    assert ok["supervision_mode"] == "0865" and ok["route"] == "reexport_0865"


async def dispatch_declares(c, old: dict, destination: str, mode: str, documents: dict) -> None:  # type: ignore[no-untyped-def]
    """Dispatch decides and declares an old part's disposal; repair records it from the event."""
    e = ExitDeclared(unit_id=old["unit_id"], item_id=old["id"], item_kind="old_part", owner_id=OWNER,
                     destination=destination, supervision_mode=mode, documents=documents,
                     declared_at=datetime.now(timezone.utc))
    ce = REGISTRY.to_event(e, "/bondline/dispatch")
    async with c.rt.uow() as uow:
        uow.actor = "event:/bondline/dispatch"
        await on_exit_declared(uow, e, ce)
        await uow.commit()


async def test_parts_wait_for_stock_then_are_reserved_on_arrival(repair):
    c = repair
    wo_id = await release(c)
    await drive(c, wo_id, "approved")
    avail = (await c.get("/v1/parts/PN-LATE/availability", params={"quantity": 2}, headers=TECH)).json()
    assert avail["status"] == "short"
    await post(c, "/v1/parts/expected", {"part_number": "PN-LATE", "quantity": 5}, expect=201)
    r = await post(c, f"/v1/work-orders/{wo_id}/parts/requests", {"lines": [{"part_number": "PN-LATE", "quantity": 2}]})
    assert r["lines"][0]["waiting"] == 2 and r["lines"][0]["availability"] == "expected"
    refused = await c.post(f"/v1/work-orders/{wo_id}/repair/start", headers=TECH)
    assert refused.status_code == 409 and "still waits for parts: 2 x PN-LATE" in refused.json()["detail"]
    await receive_parts(c, "PN-LATE", 3, lot="L-9")
    parts = (await c.get(f"/v1/work-orders/{wo_id}/parts", headers=TECH)).json()["reservations"]
    assert [(p["quantity"], p["waiting"]) for p in parts if not p["released"]] == [(2, False)]
    expected = (await c.get("/v1/parts/expected", headers=TECH)).json()
    assert [e["remaining"] for e in expected] == [2]
    history = (await c.get(f"/v1/work-orders/{wo_id}/history", headers=TECH)).json()["history"]
    assert (history[-1]["action"], history[-1]["actor"], history[-1]["note"]) == (
        "reserve_parts", "event:/bondline/intake", "2 x PN-LATE reserved on arrival")
    assert (await post(c, f"/v1/work-orders/{wo_id}/repair/start"))["state"] == "in_repair"
    avail = (await c.get("/v1/parts/PN-LATE/availability", headers=TECH)).json()
    assert (avail["on_hand"], avail["reserved"], avail["waiting"]) == (3, 2, 0)


async def test_short_stock_consumes_nothing(repair):
    c = repair
    await receive_parts(c, "PN-S", 1)
    wo_id = await release(c)
    await drive(c, wo_id, "in_repair")
    r = await c.post(f"/v1/work-orders/{wo_id}/parts/consumptions", json={"part_number": "PN-S", "quantity": 2},
                     headers=TECH)
    assert r.status_code == 409 and "only 1 of 2 x PN-S" in r.json()["detail"] and "nothing was consumed" in \
        r.json()["detail"]
    assert r.json()["context"]["availability"] == "short"
    lot = (await c.get("/v1/parts/stock", params={"part_number": "PN-S"}, headers=TECH)).json()[0]
    assert (lot["on_hand"], lot["reserved"]) == (1, 0)
    assert (await c.get("/v1/old-parts", headers=TECH)).json() == []
    assert "work_order.parts_consumed" not in [k for k, _, _ in await events(c)]


async def test_duplicate_parts_receipt_is_taken_in_once(repair):
    c = repair
    await receive_parts(c, "PN-D", 2, receipt_id="rcpt-1")
    await receive_parts(c, "PN-D", 2, receipt_id="rcpt-1")
    await receive_parts(c, "PN-D", 1, lot="L1", receipt_id="rcpt-2")  # same lot, second receipt
    lots = (await c.get("/v1/parts/stock", params={"part_number": "PN-D"}, headers=TECH)).json()
    assert [(lot["lot"], lot["on_hand"], lot["bonded"]) for lot in lots] == [("L1", 3, True)]


async def test_beyond_repair_gives_back_reserved_parts(repair):
    c = repair
    await receive_parts(c, "PN-B", 4)
    wo_id = await release(c)
    await drive(c, wo_id, "approved")
    await post(c, f"/v1/work-orders/{wo_id}/parts/requests", {"lines": [{"part_number": "PN-B", "quantity": 3}]})
    avail = (await c.get("/v1/parts/PN-B/availability", params={"quantity": 2}, headers=TECH)).json()
    assert (avail["on_hand"], avail["reserved"], avail["free"], avail["status"]) == (4, 3, 1, "short")
    done = await post(c, f"/v1/work-orders/{wo_id}/complete", {"outcome": "beyond_repair", "note": "cracked"})
    assert done["state"] == "beyond_repair"
    avail = (await c.get("/v1/parts/PN-B/availability", params={"quantity": 4}, headers=TECH)).json()
    assert (avail["reserved"], avail["free"], avail["status"]) == (0, 4, "available")
    parts = (await c.get(f"/v1/work-orders/{wo_id}/parts", headers=TECH)).json()
    assert all(r["released"] for r in parts["reservations"]) and parts["used"] == []


async def test_parts_arriving_for_a_closed_work_order_stay_free(repair):
    c = repair
    wo_id = await release(c)
    await drive(c, wo_id, "approved")
    await post(c, f"/v1/work-orders/{wo_id}/parts/requests", {"lines": [{"part_number": "PN-GONE", "quantity": 2}]})
    await post(c, f"/v1/work-orders/{wo_id}/complete", {"outcome": "beyond_repair"})
    await receive_parts(c, "PN-GONE", 2)
    avail = (await c.get("/v1/parts/PN-GONE/availability", headers=TECH)).json()
    assert (avail["on_hand"], avail["reserved"], avail["waiting"]) == (2, 0, 0)
    history = (await c.get(f"/v1/work-orders/{wo_id}/history", headers=TECH)).json()["history"]
    assert history[-1]["action"] == "declare_beyond_repair"
