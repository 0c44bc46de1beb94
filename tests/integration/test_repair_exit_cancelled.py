"""Dispatch cancels an old part's exit declaration (删单): repair puts the part back to awaiting disposal, on SQLite
and PostgreSQL; units, other declarations, duplicates and out-of-order cancellations change nothing."""
from __future__ import annotations

from datetime import datetime, timezone

from services.repair.messaging.handlers import HANDLERS
from shared.contract.events.dispatch import ExitCancelled
from shared.contract.registry import REGISTRY
from tests.integration.test_repair_helpers import (
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
from tests.integration.test_repair_parts import dispatch_declares

__all__ = ["repair"]

LIST_NO = "QD224426E000000001"


async def dispatch_cancels(c, old: dict, documents: dict, kind: str = "old_part") -> None:  # type: ignore[no-untyped-def]
    """Dispatch cancels the declaration; repair's registered handler takes the event in its unit of work."""
    e = ExitCancelled(unit_id=old["unit_id"], item_id=old["id"], item_kind=kind, owner_id=OWNER,
                      destination="re_export", documents=documents, reference="CUS-DEL-1", ledger_reversed=False,
                      reason="wrong consignee on the list", actor="dee", at=datetime.now(timezone.utc))
    ce = REGISTRY.to_event(e, "/bondline/dispatch")
    async with c.rt.uow() as uow:
        uow.actor = "event:/bondline/dispatch"
        await HANDLERS[REGISTRY.type_of(ExitCancelled)](uow, e, ce)
        await uow.commit()


async def old_part(c, unit_id: str) -> dict:  # type: ignore[no-untyped-def]
    [p] = (await c.get("/v1/old-parts", params={"unit_id": unit_id}, headers=TECH)).json()
    return p


async def test_cancelled_exit_puts_the_old_part_back_to_awaiting_disposal(repair):
    c = repair
    await receive_parts(c, "PN-X", 1)
    wo_id = await release(c, warranty=True)
    await drive(c, wo_id, "diagnosed")
    await post(c, f"/v1/work-orders/{wo_id}/quote", QUOTE)
    await post(c, f"/v1/work-orders/{wo_id}/repair/start")
    old_id = (await post(c, f"/v1/work-orders/{wo_id}/parts/consumptions", {"part_number": "PN-X", "quantity": 1},
                         expect=201))["old_part_id"]
    unit_id = (await c.get("/v1/old-parts", params={"due_within_days": 60}, headers=TECH)).json()[0]["unit_id"]
    old = {"id": old_id, "unit_id": unit_id}
    await dispatch_cancels(c, old, {"bonded_inventory_list_no": LIST_NO})  # out of order: not disposed, no-op
    assert (await old_part(c, unit_id))["disposed_at"] is None
    await dispatch_declares(c, old, "re_export", "0865", {"bonded_inventory_list_no": LIST_NO})
    assert (await old_part(c, unit_id))["route"] == "reexport_0865"

    await dispatch_cancels(c, old, {"bonded_inventory_list_no": LIST_NO}, kind="unit")  # units: ignored
    await dispatch_cancels(c, old, {"bonded_inventory_list_no": "QD-OTHER"})  # another declaration: ignored
    assert (await old_part(c, unit_id))["document_no"] == LIST_NO

    await dispatch_cancels(c, old, {"bonded_inventory_list_no": LIST_NO})
    back = await old_part(c, unit_id)
    assert (back["route"], back["document_no"], back["disposed_at"], back["disposed_by"], back["late"],
            back["supervision_mode"]) == (None, None, None, None, None, None)
    assert "wrong consignee on the list" in back["note"] and "dee" in back["note"] and LIST_NO in back["note"]
    assert [p["id"] for p in (await c.get("/v1/old-parts", params={"disposed": "false"}, headers=TECH)).json()] == \
        [old_id]
    await dispatch_cancels(c, old, {"bonded_inventory_list_no": LIST_NO})  # duplicate: no-op, no failure
    assert (await old_part(c, unit_id)) == back

    await dispatch_declares(c, old, "re_export", "0864", {"bonded_inventory_list_no": "QD2"})  # declared again
    again = await old_part(c, unit_id)
    assert again["route"] == "reexport_0864" and again["document_no"] == "QD2"
    disposed = [d for k, _, d in await events(c) if k == "old_part.disposed"]
    assert [d["document_no"] for d in disposed] == [LIST_NO, "QD2"]
