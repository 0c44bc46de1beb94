"""Printable papers on the desk (PDF, services/dispatch/api/papers.py): a shipment's packing list and its units'
labels, and one unit's label, in the reader's language (Chinese drawn with the built-in CID font)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.dispatch.api import papers
from services.dispatch.domain.items import DispatchItem
from services.dispatch.service import desk_batch, desk_search, desk_unit
from services.dispatch.web import i18n, zone
from services.dispatch.web.routing import DeskRoute
from services.dispatch.web.session import PageError, Reader
from services.kit.errors import NotFound
from shared.clock import utc_now

router = APIRouter(prefix="/desk", include_in_schema=False, route_class=DeskRoute)
DOCS = ("bonded_inventory_list_no", "gate_pass_no", "outbound_record_list_no", "import_declaration_no")


def _pdf(content: bytes, name: str) -> Response:
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store"})


def _line(i: DispatchItem, names: dict[str, str], t: i18n.Translator) -> papers.Line:
    docs = " ".join(i.exit_documents[k] for k in DOCS if i.exit_documents.get(k))
    return papers.Line(i.item_id, i.serial_number or "", i.part_number or "", names.get(i.owner_id, i.owner_id),
                       t.item_state(i.state.value), i.hs_code or "", i.origin_country or "", i.declared_value,
                       i.currency or "", docs)


async def _shipment(request: Request, shipment_id: str) -> tuple[Any, list[papers.Line], i18n.Translator]:
    rt, t = request.app.state.runtime, i18n.Translator(i18n.pick(request))
    try:
        card = await desk_batch.shipment(rt.uow(), shipment_id)
    except NotFound:
        raise PageError(404, "not_found") from None
    names = await desk_search.owner_names(rt.uow(), (i.owner_id for i in card.items))
    return card.shipment, [_line(i, names, t) for i in card.items], t


@router.get("/shipments/{shipment_id}/packing-list.pdf")
async def packing_list(request: Request, shipment_id: str, _who: Reader) -> Response:
    s, lines, t = await _shipment(request, shipment_id)
    here = zone.of(request)
    shipped = papers.Shipped(s.id, s.carrier, s.tracking_number, s.destination_country, s.address, s.incoterm,
                             t(s.state.value), t.datetime(s.created_at, here))
    printed = f"{t('printed')} {t.datetime(utc_now(), here)}"
    return _pdf(papers.packing_list(shipped, lines, t, printed), f"packing-list-{s.tracking_number}.pdf")


@router.get("/shipments/{shipment_id}/labels.pdf")
async def shipment_labels(request: Request, shipment_id: str, _who: Reader) -> Response:
    s, lines, t = await _shipment(request, shipment_id)
    if not lines:
        raise PageError(404, "not_found")
    return _pdf(papers.labels(lines, t), f"labels-{s.tracking_number}.pdf")


@router.get("/units/{item_id}/label.pdf")
async def unit_label(request: Request, item_id: str, _who: Reader) -> Response:
    """Any unit the desk knows (at intake, in repair or at dispatch), from the desk's read model."""
    rt, t = request.app.state.runtime, i18n.Translator(i18n.pick(request))
    u = await desk_unit.unit(rt.uow(), item_id, limit=1)
    if u.dash is None:
        raise PageError(404, "not_found")
    d = u.dash
    names = await desk_search.owner_names(rt.uow(), [d.owner_id])
    line = papers.Line(d.item_id, d.serial_number or "", d.part_number or "", names.get(d.owner_id, d.owner_id),
                       t.state(d.state))
    return _pdf(papers.labels([line], t), f"label-{d.serial_number or d.item_id}.pdf")
