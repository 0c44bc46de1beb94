"""Work orders for the repair bench's browser tests, made through repair's own handlers and use cases.

Intake's release and parts receipts arrive as the events repair's consumer applies; the work orders are then driven
with repair's use cases (the bench's own path), so every page shows real history. ``UNITS`` names them by serial.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from services.kit.runtime import Runtime
from services.repair.db.work_orders import WorkOrderFilter
from services.repair.domain.stock import PartNeed
from services.repair.messaging.handlers import on_parts_received, on_unit_released
from services.repair.service import diagnosis, parts, quotes, repairs, work_orders
from shared.contract.events.common import Money
from shared.contract.events.intake import PartsReceived, UnitReleasedToRepair
from shared.contract.registry import REGISTRY

TECH, OTHER = "technician:li", "technician:wang"
# serial -> (technician, what was done so far)
UNITS = {"SN-Q-1001": (None, "queued"), "SN-D-2002": ("li", "diagnosing"), "SN-R-3003": ("li", "in_repair"),
         "SN-T-4004": ("li", "testing"), "SN-P-5005": ("wang", "quote_pending")}
PARTS = {"PN-SEAL": 3, "PN-VALVE": 1}


async def _deliver(rt: Runtime, handler: Any, payload: Any) -> None:
    async with rt.uow() as uow:
        uow.actor = "event:/bondline/intake"
        await handler(uow, payload, REGISTRY.to_event(payload, "/bondline/intake"))
        await uow.commit()


async def release(rt: Runtime, serial: str, warranty: bool) -> str:
    unit_id = str(uuid.uuid4())
    e = UnitReleasedToRepair(unit_id=unit_id, owner_id="fab-1", serial_number=serial, part_number="0040-86372",
                             hs_code="8486909000", origin="foreign", origin_country="KR",
                             declared_value=Money(amount=Decimal("42000.00"), currency="USD"), warranty=warranty,
                             fault_description="helium leak at the chamber lid", released_at=datetime.now(timezone.utc))
    await _deliver(rt, on_unit_released, e)
    found = await work_orders.find(rt.uow(), WorkOrderFilter(unit_id=unit_id), 1, 0)
    return found[0].id


async def receive(rt: Runtime, part: str, quantity: int) -> None:
    e = PartsReceived(receipt_id=str(uuid.uuid4()), part_number=part, lot="L-7", quantity=quantity,
                      unit_value=Money(amount=Decimal("250.00"), currency="USD"), hs_code="8486909000",
                      origin="foreign", bonded=True, documents={"bonded_inventory_list": "QD224426I000000001"},
                      received_at=datetime.now(timezone.utc))
    await _deliver(rt, on_parts_received, e)


async def drive(rt: Runtime, wo_id: str, technician: str, until: str) -> None:
    actor = f"technician:{technician}"
    await work_orders.assign(rt.uow(), wo_id, technician, actor)
    await diagnosis.start(rt.uow(), wo_id, actor)
    if until == "diagnosing":
        return
    await diagnosis.record(rt.uow(), wo_id, ["VAC-LEAK"], "lid seal cracked", False, actor)
    await quotes.issue(rt.uow(), wo_id, Decimal("1200.00"), Decimal("250.00"), "USD", actor)  # warranty: skipped
    if until == "quote_pending":
        return
    await parts.request(rt.uow(), wo_id, [PartNeed("PN-SEAL", 1, True)], actor)
    await repairs.start_repair(rt.uow(), wo_id, actor)
    if until == "testing":
        await parts.consume(rt.uow(), wo_id, PartNeed("PN-SEAL", 1, True), True, 90, actor)
        await repairs.start_testing(rt.uow(), wo_id, actor)


async def scenario(rt: Runtime) -> dict[str, str]:
    """The units of ``UNITS`` in their states; serial -> work order id."""
    for part, n in PARTS.items():
        await receive(rt, part, n)
    ids = {}
    for serial, (technician, until) in UNITS.items():
        ids[serial] = await release(rt, serial, warranty=until != "quote_pending")
        if technician:
            await drive(rt, ids[serial], technician, until)
    return ids
