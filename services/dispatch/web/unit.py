"""The unit page: timeline across the three services, documents, allowed destinations with taxes, and the actions.

Actions call dispatch's use cases (service/decisions.py, service/shipments.py), so the API's rules apply; a refusal
is shown on the page with the service's reason, and nothing of a refused action is written.
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from services.dispatch.db.dashboard import DashboardRepository
from services.dispatch.db.journal import TIMELINE_ORDER, JournalRow, UnitStatusRow
from services.dispatch.domain.destinations import Destination
from services.dispatch.domain.exits import ExitDocuments
from services.dispatch.domain.shipments import NEXT, ShipmentState
from services.dispatch.service import decisions, shipments
from services.dispatch.service.reference import countries
from services.dispatch.web import rows
from services.dispatch.web.desk import policy
from services.dispatch.web.render import page
from services.dispatch.web.routing import DeskRoute
from services.dispatch.web.session import PageError, Reader, Writer
from services.kit.errors import DomainError, NotFound, RuleViolation

router = APIRouter(prefix="/desk/units", include_in_schema=False, route_class=DeskRoute)
TIMELINE_LIMIT = 500
Text = Annotated[str, Form(max_length=2000)]
Optional = Annotated[str, Form(max_length=2000)]


def _short(event_type: str) -> tuple[str, str]:
    """com.bondline.repair.work_order.completed.v1 -> ("repair", "work_order.completed")."""
    parts = event_type.split(".")
    return parts[2], ".".join(p for p in parts[3:] if not (p.startswith("v") and p[1:].isdigit()))


def _details(data: dict[str, Any]) -> str:
    keep = ("to_state", "outcome", "result", "method", "destination", "destination_country", "reason", "decision",
            "passed", "route", "custody_location", "part_number", "quantity")
    return ", ".join(f"{k}={data[k]}" for k in keep if data.get(k) not in (None, "", []))


async def _facts(request: Request, item_id: str) -> dict[str, Any]:
    rt = request.app.state.runtime
    async with rt.sessions() as s:
        dash = await DashboardRepository(s).item(item_id)
        unit_id = dash.unit_id if dash else item_id
        status = await s.get(UnitStatusRow, unit_id)
        # in the order the events happened across the three services, not the order dispatch consumed them
        journal = list(await s.scalars(select(JournalRow).where(JournalRow.unit_id == unit_id)
                                       .order_by(*TIMELINE_ORDER).limit(TIMELINE_LIMIT)))
    documents: dict[str, str] = {}
    for e in journal:
        documents |= {k: str(v) for k, v in (e.data.get("documents") or {}).items() if v}
    timeline = [{"at": e.occurred_at.strftime("%Y-%m-%d %H:%M"), "service": _short(e.type)[0],
                 "event": _short(e.type)[1], "details": _details(e.data)} for e in journal]
    return {"item_id": item_id, "unit_id": unit_id, "unit_status": status, "timeline": timeline, "documents": documents,
            "dash": rows.view(dash, policy(request)) if dash else None}


async def _dispatch_view(request: Request, item_id: str) -> dict[str, Any]:
    rt = request.app.state.runtime
    try:
        found = await decisions.get(rt.uow(), item_id, rt.d.settings.vat_rate)
    except NotFound:
        return {"item": None, "allowed": [], "shipment": None, "planned": []}
    country, uow = found["item"]["destination_country"], rt.uow()
    async with uow:
        shipment_id = await uow.items.shipment_of(item_id)
        planned = [{"id": p.id, "carrier": p.carrier, "tracking_number": p.tracking_number}
                   for p in await uow.shipments.find(ShipmentState.planned.value, 50, 0)
                   if p.destination_country == country]
    shipment = (await shipments.get(rt.uow(), shipment_id))[0] if shipment_id else None
    return {"item": found["item"], "allowed": found["allowed_destinations"], "shipment": shipment,
            "next_state": NEXT.get(shipment.state) if shipment else None, "planned": planned}


async def _unit_page(request: Request, who: Any, item_id: str, status: int = 200, **extra: Any) -> HTMLResponse:
    facts = await _facts(request, item_id)
    view = await _dispatch_view(request, item_id)
    if facts["dash"] is None and facts["unit_status"] is None and view["item"] is None:
        raise PageError(404, "not_found")
    if view["item"]:
        facts["documents"] |= view["item"]["exit_documents"]
    return page(request, "unit.html", who, status=status, **facts, **view, **extra)


@router.get("/{item_id}", response_class=HTMLResponse)
async def unit_page(request: Request, item_id: str, who: Reader, done: str | None = None) -> HTMLResponse:
    return await _unit_page(request, who, item_id, done=done)


@router.get("/{item_id}/timeline", response_class=HTMLResponse)
async def timeline(request: Request, item_id: str, who: Reader) -> HTMLResponse:
    """The timeline alone, polled by the unit page so new events show up without a reload."""
    return page(request, "_timeline.html", who, **await _facts(request, item_id))


async def _act(request: Request, who: Any, item_id: str, what: str, action: Any) -> Response:
    try:
        await action
    except DomainError as exc:
        return await _unit_page(request, who, item_id, status=exc.status, error=exc.message, failed=what)
    return RedirectResponse(f"/desk/units/{item_id}?done={what}", status_code=303)


@router.post("/{item_id}/decision")
async def decide(request: Request, item_id: str, who: Writer, destination: Text, country: Optional = "") -> Response:
    rt = request.app.state.runtime

    async def run() -> None:
        try:
            chosen = Destination(destination)
        except ValueError:
            raise RuleViolation(f"unknown destination {destination!r}", field="destination") from None
        await decisions.decide(rt.uow(), item_id, chosen, country.strip().upper() or None, rt.d.settings.vat_rate,
                               who.actor)
    return await _act(request, who, item_id, "choose_destination", run())


@router.post("/{item_id}/exit")
async def declare(request: Request, item_id: str, who: Writer, supervision_mode: Text, gate_pass_no: Text,
                  gate_pass_type: Text, bonded_inventory_list_no: Optional = "", outbound_record_list_no: Optional = "",
                  import_declaration_no: Optional = "") -> Response:
    rt = request.app.state.runtime
    doc = ExitDocuments(supervision_mode.strip(), gate_pass_no.strip(), gate_pass_type.strip(),
                        bonded_inventory_list_no.strip() or None, outbound_record_list_no.strip() or None,
                        import_declaration_no.strip() or None)
    return await _act(request, who, item_id, "declare_exit",
                      decisions.declare_exit(rt.uow(), item_id, doc, rt.d.settings.vat_rate, who.actor))


@router.post("/{item_id}/shipment")
async def add_to_shipment(request: Request, item_id: str, who: Writer, shipment_id: Optional = "",
                          carrier: Optional = "", tracking_number: Optional = "", destination_country: Optional = "",
                          address: Optional = "", incoterm: Optional = "DAP") -> Response:
    rt = request.app.state.runtime

    async def run() -> None:
        target = shipment_id.strip()
        if not target:  # a new shipment: checked with the item first, so a refusal leaves no empty shipment behind
            s = shipments.new(carrier.strip(), tracking_number.strip(), destination_country.strip().upper(),
                              address.strip(), incoterm.strip().upper())
            await _check_new(rt, s, item_id)
            target = (await shipments.create(rt.uow(), s, who.actor)).id
        await shipments.add_item(rt.uow(), target, item_id, who.actor)
    return await _act(request, who, item_id, "add_to_shipment", run())


async def _check_new(rt: Any, s: Any, item_id: str) -> None:
    for name in ("carrier", "tracking_number", "address"):
        if not getattr(s, name):
            raise RuleViolation(f"{name} is required for a new shipment", field=name)
    s.check(countries())
    uow = rt.uow()
    async with uow:
        item = await decisions.load(uow, item_id)
        item.ready_to_ship()
        s.add(item_id, item.destination_country)
        s.item_ids.clear()


@router.post("/{item_id}/advance")
async def advance(request: Request, item_id: str, who: Writer, shipment_id: Text, to: Text) -> Response:
    rt = request.app.state.runtime

    async def run() -> None:
        try:
            target = ShipmentState(to)
        except ValueError:
            raise RuleViolation(f"unknown shipment state {to!r}", field="to") from None
        await shipments.advance(rt.uow(), shipment_id, target, who.actor)
    return await _act(request, who, item_id, f"mark_{to}", run())
