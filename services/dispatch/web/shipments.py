"""The shipments board (``/desk/shipments``): items to declare, declared items waiting for a shipment, and the
shipments planned, customs cleared, shipped and delivered; batch actions (declare several exits at once, add several
items to a shipment) through dispatch's use cases (service/desk_batch.py), each item's outcome shown, refusals in
the reader's language; a shipment's page with its items and its one next step."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.dispatch.domain.exits import ExitDocuments
from services.dispatch.domain.shipments import NEXT, ShipmentState
from services.dispatch.service import decisions, desk_batch, desk_search, shipments
from services.dispatch.web import i18n, refusals
from services.dispatch.web.render import page
from services.dispatch.web.routing import DeskRoute
from services.dispatch.web.session import PageError, Reader, Writer
from services.kit.auth import Principal
from services.kit.errors import DomainError, NotFound, RuleViolation

router = APIRouter(prefix="/desk/shipments", include_in_schema=False, route_class=DeskRoute)
Text = Annotated[str, Form(max_length=2000)]
Ids = Annotated[list[str], Form(default_factory=list)]  # how many: checked by the batch (MAX_BATCH)


def _owners(*groups: Any) -> set[str]:
    return {i.owner_id for g in groups for i in g}


async def board_page(request: Request, who: Principal, status: int = 200, **extra: Any) -> HTMLResponse:
    rt = request.app.state.runtime
    b = await desk_batch.board(rt.uow())
    cards = [c for lane in b.shipments.values() for c in lane]
    every = [*b.to_declare, *b.to_ship, *[i for c in cards for i in c.items]]
    names = await desk_search.owner_names(rt.uow(), (i.owner_id for i in every))
    serials = {i.item_id: i.serial_number for i in every if i.serial_number}  # a batch's outcomes name them so
    return page(request, "shipments.html", who, status=status, board=b, names=names, serials=serials,
                lanes=list(ShipmentState), **extra)


@router.get("", response_class=HTMLResponse)
async def board(request: Request, who: Reader) -> HTMLResponse:
    return await board_page(request, who)


def _results(request: Request, outcomes: list[desk_batch.Outcome]) -> tuple[int, list[dict[str, Any]]]:
    """Each item's outcome as the page says it; the status: 200 if any was done, else the first refusal's."""
    t = i18n.Translator(i18n.pick(request))
    said = [{"item_id": o.item_id, "done": o.done, "refusal": refusals.explain(o.error, t) if o.error else None}
            for o in outcomes]
    refused = [o.error for o in outcomes if o.error is not None]
    return (refused[0].status if refused and len(refused) == len(outcomes) else 200), said


async def _batch(request: Request, who: Principal, what: str, run: Any) -> HTMLResponse:
    """``run`` answers the outcomes and the shipment they went into (if any)."""
    try:
        outcomes, shipment_id = await run
    except DomainError as exc:  # the batch itself is malformed (no item chosen, too many)
        t = i18n.Translator(i18n.pick(request))
        return await board_page(request, who, status=exc.status, failed=what, error=refusals.explain(exc, t))
    status, results = _results(request, outcomes)
    return await board_page(request, who, status=status, failed=what, results=results, into=shipment_id)


async def _declared(run: Any) -> tuple[list[desk_batch.Outcome], None]:
    return await run, None


@router.post("/declare", response_class=HTMLResponse)
async def declare_many(request: Request, who: Writer, item_ids: Ids, supervision_mode: Text, gate_pass_type: Text,
                       gate_pass_no: Text = "", bonded_inventory_list_no: Text = "",
                       outbound_record_list_no: Text = "", import_declaration_no: Text = "", filing_id: Text = "",
                       override_reason: Text = "") -> HTMLResponse:
    rt = request.app.state.runtime
    doc = ExitDocuments(supervision_mode.strip(), gate_pass_no.strip(), gate_pass_type.strip(),
                        bonded_inventory_list_no.strip() or None, outbound_record_list_no.strip() or None,
                        import_declaration_no.strip() or None)
    how = decisions.Numbers(filing_id.strip() or None, override_reason.strip() or None,
                            from_receipts=bool(rt.d.settings.customs_platform_url))
    run = desk_batch.declare_many(rt.uow, item_ids, doc, rt.d.settings.vat_rate, who.actor, how)
    return await _batch(request, who, "declare_exit", _declared(run))


@router.post("/items", response_class=HTMLResponse)
async def add_many(request: Request, who: Writer, item_ids: Ids, shipment_id: Text = "", carrier: Text = "",
                   tracking_number: Text = "", destination_country: Text = "", address: Text = "",
                   incoterm: Text = "DAP") -> HTMLResponse:
    rt = request.app.state.runtime
    target = shipment_id.strip() or shipments.new(carrier.strip(), tracking_number.strip(),
                                                  destination_country.strip().upper(), address.strip(),
                                                  incoterm.strip().upper())

    async def run() -> tuple[list[desk_batch.Outcome], str | None]:
        created, outcomes = await desk_batch.add_many(rt.uow, item_ids, target, who.actor)
        return outcomes, created
    return await _batch(request, who, "add_to_shipment", run())


async def _shipment_page(request: Request, who: Principal, shipment_id: str, status: int = 200,
                         **extra: Any) -> HTMLResponse:
    rt = request.app.state.runtime
    try:
        card = await desk_batch.shipment(rt.uow(), shipment_id)
    except NotFound:
        raise PageError(404, "not_found") from None
    names = await desk_search.owner_names(rt.uow(), _owners(card.items))
    return page(request, "shipment.html", who, status=status, s=card.shipment, items=card.items, names=names,
                next_state=NEXT.get(card.shipment.state), **extra)


@router.get("/{shipment_id}", response_class=HTMLResponse)
async def shipment_page(request: Request, shipment_id: str, who: Reader, done: str | None = None) -> HTMLResponse:
    return await _shipment_page(request, who, shipment_id, done=done)


@router.post("/{shipment_id}/advance")
async def advance(request: Request, shipment_id: str, who: Writer, to: Text) -> Response:
    rt = request.app.state.runtime
    try:
        try:
            target = ShipmentState(to)
        except ValueError:
            raise RuleViolation(f"unknown shipment state {to!r}", field="to") from None
        await shipments.advance(rt.uow(), shipment_id, target, who.actor)
    except DomainError as exc:
        t = i18n.Translator(i18n.pick(request))
        return await _shipment_page(request, who, shipment_id, status=exc.status, failed=f"mark_{to}",
                                    error=refusals.explain(exc, t))
    return RedirectResponse(f"/desk/shipments/{shipment_id}?done=mark_{to}", status_code=303)
