"""The unit page: timeline across the three services, documents, allowed destinations with taxes, and the actions.

What the page shows comes from use cases (service/desk_unit.py: the desk's own timeline and items, dispatch's view
of the item); actions call dispatch's use cases (service/decisions.py, service/shipments.py), so the API's rules
apply; a refusal is shown on the page with the service's reason, and nothing of a refused action is written.
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.dispatch.domain.destinations import Destination
from services.dispatch.domain.exits import ExitDocuments
from services.dispatch.domain.shipments import ShipmentState
from services.dispatch.service import decisions, desk_unit, shipments
from services.dispatch.web import rows, zone
from services.dispatch.web.desk import policy
from services.dispatch.web.render import page
from services.dispatch.web.routing import DeskRoute
from services.dispatch.web.session import PageError, Reader, Writer
from services.kit.errors import DomainError, RuleViolation

router = APIRouter(prefix="/desk/units", include_in_schema=False, route_class=DeskRoute)
Text = Annotated[str, Form(max_length=2000)]
Optional = Annotated[str, Form(max_length=2000)]


def _short(event_type: str) -> tuple[str, str]:
    """com.bondline.repair.work_order.completed.v1 -> ("repair", "work_order.completed")."""
    parts = event_type.split(".")
    return parts[2], ".".join(p for p in parts[3:] if not (p.startswith("v") and p[1:].isdigit()))


def _details(data: dict[str, Any]) -> str:
    return ", ".join(f"{k}={data[k]}" for k in desk_unit.DETAILS if data.get(k) not in (None, "", []))


async def _facts(request: Request, item_id: str) -> dict[str, Any]:
    u = await desk_unit.unit(request.app.state.runtime.uow(), item_id)
    # in the order the events happened across the three services, not the order the desk consumed them
    here = zone.of(request)
    timeline = [{"at": zone.local(e.occurred_at, here), "service": _short(e.type)[0],
                 "event": _short(e.type)[1], "details": _details(e.data)} for e in u.timeline]
    return {"item_id": item_id, "unit_id": u.unit_id, "known": u.facts, "timeline": timeline,
            "documents": dict(u.documents), "dash": rows.view(u.dash, policy(request)) if u.dash else None}


async def _unit_page(request: Request, who: Any, item_id: str, status: int = 200, **extra: Any) -> HTMLResponse:
    rt = request.app.state.runtime
    facts = await _facts(request, item_id)
    view = await desk_unit.dispatch_view(rt.uow(), item_id, rt.d.settings.vat_rate)
    if facts["dash"] is None and not facts["timeline"] and view["item"] is None:
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

    target = shipment_id.strip() or shipments.new(carrier.strip(), tracking_number.strip(),
                                                  destination_country.strip().upper(), address.strip(),
                                                  incoterm.strip().upper())
    return await _act(request, who, item_id, "add_to_shipment",
                      desk_unit.add_to_shipment(rt.uow(), item_id, target, who.actor))


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
