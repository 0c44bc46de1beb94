"""The desk's unit page: the unit's timeline across the three services and what the desk knows of the unit (both
the desk's own read models), dispatch's view of the item (allowed destinations with taxes, its shipment), and the
page's one composite action, a new shipment for the item.

``record`` is the desk projection's timeline handler: one row per event that names a unit, with a small summary
of its data (what the page shows), read back in the order the events happened (db/desk.py: ``TIMELINE_ORDER``).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from services.dispatch.db.dashboard import DashboardRepository
from services.dispatch.db.desk import Entry, TimelineRepository
from services.dispatch.domain.shipments import NEXT, Shipment, ShipmentState
from services.dispatch.service import compliance, decisions, shipments
from services.dispatch.service.reference import countries
from services.dispatch.service.uow import DispatchUnitOfWork as UoW
from services.kit.errors import NotFound, RuleViolation
from shared.contract.envelope import CloudEvent
from shared.contract.registry import Payload

DETAILS = ("to_state", "outcome", "result", "method", "destination", "destination_country", "reason", "decision",
           "passed", "route", "custody_location", "part_number", "quantity", "control", "resolution", "licence")
FACTS = ("serial_number", "part_number", "hs_code")
SUMMARY = (*DETAILS, *FACTS, "owner_id", "documents")
TIMELINE_LIMIT = 500


def summary(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in SUMMARY if data.get(k) not in (None, "", [], {})}


async def record(uow: UoW, payload: Payload, ce: CloudEvent) -> None:
    """The event's row on its unit's timeline; an event that names no unit (a parts receipt) has none."""
    data = payload.model_dump(mode="json")
    if data.get("unit_id"):
        entry = Entry(ce.id, ce.type, ce.source, ce.time, ce.sequence, summary(data))
        await TimelineRepository(uow.session).add(data["unit_id"], entry)


@dataclass(frozen=True)
class UnitView:
    item_id: str
    unit_id: str
    dash: Any | None                      # the item's row of dash_items (a plain row), if the desk has one
    timeline: list[Entry] = field(default_factory=list)
    documents: dict[str, str] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)  # owner_id, serial_number, part_number, hs_code as last said


async def unit(uow: UoW, item_id: str, limit: int = TIMELINE_LIMIT) -> UnitView:
    """An item (a unit, or an old part: its unit's timeline) as the desk's read models know it."""
    async with uow:
        dash = await DashboardRepository(uow.session).row(item_id)
        unit_id = dash.unit_id if dash else item_id
        timeline = await TimelineRepository(uow.session).of_unit(unit_id, limit)
    documents: dict[str, str] = {}
    facts: dict[str, Any] = {}
    for e in timeline:
        documents |= {k: str(v) for k, v in (e.data.get("documents") or {}).items() if v}
        if e.data.get("serial_number"):  # the unit's own facts (a part's number on other events is the part's)
            facts |= {k: e.data[k] for k in FACTS if e.data.get(k)}
        facts["owner_id"] = e.data.get("owner_id") or facts.get("owner_id")
    return UnitView(item_id, unit_id, dash, timeline, documents, facts)


async def dispatch_view(uow: UoW, item_id: str, vat_rate: Decimal) -> dict[str, Any]:
    """Dispatch's item with its allowed destinations, its shipment and the planned shipments it could join."""
    try:
        found = await decisions.get(uow, item_id, vat_rate)
    except NotFound:
        return {"item": None, "allowed": [], "shipment": None, "planned": [], "holds": []}
    country = found["item"]["destination_country"]
    async with uow:
        shipment_id = await uow.items.shipment_of(item_id)
        planned = [{"id": p.id, "carrier": p.carrier, "tracking_number": p.tracking_number}
                   for p in await uow.shipments.find(ShipmentState.planned.value, 50, 0)
                   if p.destination_country == country]
    shipment = (await shipments.get(uow, shipment_id))[0] if shipment_id else None
    holds = [{"status": h.status.value, "reason": h.hit.reason, "subject": h.subject, "point": h.point,
              "list_version": h.list_version, "closure": asdict(h.closure) if h.closure else None}
             for h in await compliance.holds(uow, None, item_id, None, 100, 0)]
    return {"item": found["item"], "allowed": found["allowed_destinations"], "shipment": shipment,
            "next_state": NEXT.get(shipment.state) if shipment else None, "planned": planned, "holds": holds}


async def add_to_shipment(uow: UoW, item_id: str, target: str | Shipment, actor: str) -> None:
    """The item into shipment ``target``, or into a new one: checked with the item first, so a refusal leaves no
    empty shipment behind."""
    if isinstance(target, Shipment):
        await _check_new(uow, target, item_id)
        target = (await shipments.create(uow, target, actor)).id
    await shipments.add_item(uow, target, item_id, actor)


async def _check_new(uow: UoW, s: Shipment, item_id: str) -> None:
    for name in ("carrier", "tracking_number", "address"):
        if not getattr(s, name):
            raise RuleViolation(f"{name} is required for a new shipment", field=name)
    s.check(countries())
    async with uow:
        item = await decisions.load(uow, item_id)
        item.ready_to_ship()
        s.add(item_id, item.destination_country)
        s.item_ids.clear()
