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
from services.dispatch.service import decisions, desk_search, desk_unit, shipments
from services.dispatch.web import i18n, refusals, rows, zone
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


def _value(t: i18n.Translator, key: str, value: Any) -> str:
    """An event's detail as the reader says it: states, destinations, the contract's Literals, yes/no."""
    if key in ("to_state", "outcome"):  # a work order's state, repair's outcome: the vocabulary's names
        return t.state(str(value))
    if key == "destination":
        return t(str(value))
    if isinstance(value, bool):
        return t.label("value", f"{key}.{str(value).lower()}") if t.has(f"value.{key}.{str(value).lower()}") \
            else t("yes" if value else "no")
    if isinstance(value, dict):  # a licence: its number and validity
        return " ".join(str(v) for v in value.values() if v)
    if isinstance(value, int):
        return t.number(value)
    return t.label("value", f"{key}.{value}") if t.has(f"value.{key}.{value}") else str(value)


def _details(data: dict[str, Any], t: i18n.Translator) -> list[tuple[str, str]]:
    return [(t.label("detail", k), _value(t, k, data[k])) for k in desk_unit.DETAILS
            if data.get(k) not in (None, "", [])]


def _documents(timeline: list[Any], item: dict[str, Any] | None) -> tuple[dict[str, str], dict[str, str]]:
    """Entry documents (intake's declaration) and exit documents (dispatch's; the item's own once it has them, an
    exit cancelled no longer counts), apart: a gate pass in and a gate pass out are different papers."""
    entry: dict[str, str] = {}
    leaving: dict[str, str] = {}
    for e in timeline:
        service, name = _short(e.type)
        docs = {k: str(v) for k, v in (e.data.get("documents") or {}).items() if v}
        if service == "intake":
            entry |= docs
        elif name == "item.exit_cancelled":
            leaving = {}
        elif service == "dispatch":
            leaving |= docs
    if item is not None:  # dispatch's item knows its exit documents as they stand (an amendment clears them)
        leaving = {k: str(v) for k, v in item["exit_documents"].items() if v}
    return entry, leaving


async def _facts(request: Request, item_id: str) -> dict[str, Any]:
    u = await desk_unit.unit(request.app.state.runtime.uow(), item_id)
    # in the order the events happened across the three services, not the order the desk consumed them
    here, t = zone.of(request), i18n.Translator(i18n.pick(request))
    timeline = [{"at": t.datetime(e.occurred_at, here), "iso": e.occurred_at.astimezone(here).isoformat(),
                 "service": _short(e.type)[0], "name": _short(e.type)[1], "event": t.label("event", _short(e.type)[1]),
                 "details": _details(e.data, t)} for e in u.timeline]
    return {"item_id": item_id, "unit_id": u.unit_id, "known": u.facts, "timeline": timeline,
            "raw_timeline": u.timeline, "dash": rows.view(u.dash, policy(request)) if u.dash else None}


async def _unit_page(request: Request, who: Any, item_id: str, status: int = 200, **extra: Any) -> HTMLResponse:
    rt = request.app.state.runtime
    facts = await _facts(request, item_id)
    view = await desk_unit.dispatch_view(rt.uow(), item_id, rt.d.settings.vat_rate)
    if facts["dash"] is None and not facts["timeline"] and view["item"] is None:
        raise PageError(404, "not_found")
    entry, leaving = _documents(facts.pop("raw_timeline"), view["item"])
    dash, item = facts["dash"], view["item"]
    owner_id = (item["owner_id"] if item else dash["owner_id"] if dash else facts["known"].get("owner_id")) or ""
    names = await desk_search.owner_names(rt.uow(), [owner_id])
    return page(request, "unit.html", who, status=status, entry_documents=entry, exit_documents=leaving,
                owner_id=owner_id, owner_name=names.get(owner_id, owner_id), **facts, **view, **extra)


@router.get("/{item_id}", response_class=HTMLResponse)
async def unit_page(request: Request, item_id: str, who: Reader, done: str | None = None) -> HTMLResponse:
    return await _unit_page(request, who, item_id, done=done)


@router.get("/{item_id}/timeline", response_class=HTMLResponse)
async def timeline(request: Request, item_id: str, who: Reader) -> HTMLResponse:
    """The timeline alone, polled by the unit page so new events show up without a reload."""
    facts = await _facts(request, item_id)
    facts.pop("raw_timeline")
    return page(request, "_timeline.html", who, **facts)


async def _act(request: Request, who: Any, item_id: str, what: str, action: Any) -> Response:
    try:
        await action
    except DomainError as exc:
        refusal = refusals.explain(exc, i18n.Translator(i18n.pick(request)))
        return await _unit_page(request, who, item_id, status=exc.status, error=refusal, failed=what)
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
async def declare(request: Request, item_id: str, who: Writer, supervision_mode: Text, gate_pass_type: Text,
                  gate_pass_no: Optional = "", bonded_inventory_list_no: Optional = "",
                  outbound_record_list_no: Optional = "", import_declaration_no: Optional = "",
                  filing_id: Optional = "", override_reason: Optional = "") -> Response:
    rt = request.app.state.runtime
    doc = ExitDocuments(supervision_mode.strip(), gate_pass_no.strip(), gate_pass_type.strip(),
                        bonded_inventory_list_no.strip() or None, outbound_record_list_no.strip() or None,
                        import_declaration_no.strip() or None)
    how = decisions.Numbers(filing_id.strip() or None, override_reason.strip() or None,
                            from_receipts=bool(rt.d.settings.customs_platform_url))
    return await _act(request, who, item_id, "declare_exit",
                      decisions.declare_exit(rt.uow(), item_id, doc, rt.d.settings.vat_rate, who.actor, how))


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
