"""The customs filings on the desk (issue 15 §5): every exit declaration with its messages (the XML as sent, its
attempts and last error) and receipts (回执, simulated ones marked) and their states; what waits for customs, what
was rejected and why; a clerk corrects and resends, amends, sends the gate pass or cancels, each through
service/filings.py's use cases; items that have their destination are filed from the shipments board. Customs
officers read."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.dispatch.service import desk_customs, desk_search, filings
from services.dispatch.service.filings import FileExit
from services.dispatch.web import i18n, refusals, zone
from services.dispatch.web.render import page
from services.dispatch.web.routing import DeskRoute
from services.dispatch.web.session import PageError, Reader, Writer
from services.dispatch.web.shipments import board_page
from services.kit.auth import Principal
from services.kit.customs.lifecycle import CHANGEABLE, State
from services.kit.errors import DomainError, NotFound

router = APIRouter(prefix="/desk/filings", include_in_schema=False, route_class=DeskRoute)
Text = Annotated[str, Form(max_length=500)]
Ids = Annotated[list[str], Form(default_factory=list)]


@router.get("", response_class=HTMLResponse)
async def filing_list(request: Request, who: Reader, show: str | None = None) -> HTMLResponse:
    group = show if show in desk_customs.GROUPS else None
    found = await desk_customs.filing_list(request.app.state.runtime.uow(), group)
    return page(request, "filings.html", who, found=found, show=group, group_of=desk_customs.group_of,
                waits=desk_customs.waits_for_customs)


async def _filing_page(request: Request, who: Principal, filing_id: str, status: int = 200,
                       **extra: Any) -> HTMLResponse:
    try:
        f, messages, receipts = await filings.get(request.app.state.runtime.uow(), filing_id)
    except NotFound:
        raise PageError(404, "not_found") from None
    answered = {r.message_id for r in receipts}
    rt = request.app.state.runtime
    items = await desk_customs.items(rt.uow(), f.item_ids)
    names = await desk_search.owner_names(rt.uow(), (i.owner_id for i in items))
    t, here = i18n.Translator(i18n.pick(request)), zone.of(request)
    history = [h | {"at": t.datetime(datetime.fromisoformat(h["at"]), here)} for h in f.history]
    return page(request, "filing.html", who, status=status, f=f, history=history, messages=messages, receipts=receipts,
                items=items, names=names, table_id="filing-item-list", form_id="",
                answered=answered, waits=desk_customs.waits_for_customs(f), changeable=f.state in CHANGEABLE,
                can_resend=f.state is State.rejected,
                can_gate_pass=f.state in (State.released, State.gate_pass_rejected), **extra)


@router.get("/{filing_id}", response_class=HTMLResponse)
async def filing_page(request: Request, filing_id: str, who: Reader, done: str | None = None) -> HTMLResponse:
    return await _filing_page(request, who, filing_id, done=done)


async def _act(request: Request, who: Principal, filing_id: str | None, what: str, action: Any) -> Response:
    try:
        f = await action
    except DomainError as exc:
        error = refusals.explain(exc, i18n.Translator(i18n.pick(request)))
        if filing_id is None:  # a new filing, from the shipments board
            return await board_page(request, who, status=exc.status, failed=what, error=error)
        return await _filing_page(request, who, filing_id, status=exc.status, failed=what, error=error)
    return RedirectResponse(f"/desk/filings/{f.id}?done={what}", status_code=303)


@router.post("")
async def file_exit(request: Request, who: Writer, item_ids: Ids, transport_mode: Text,
                    supervision_mode: Text = "") -> Response:
    cmd = FileExit(item_ids, transport_mode.strip(), supervision_mode.strip() or None)
    return await _act(request, who, None, "file_exit",
                      filings.file_exit(request.app.state.runtime.uow(), cmd, who.actor))


@router.post("/{filing_id}/resend")
async def resend(request: Request, filing_id: str, who: Writer, transport_mode: Text = "") -> Response:
    return await _act(request, who, filing_id, "resend_list", filings.resend(
        request.app.state.runtime.uow(), filing_id, who.actor, transport_mode.strip() or None))


@router.post("/{filing_id}/amendment")
async def amend(request: Request, filing_id: str, who: Writer, reason: Text, transport_mode: Text = "") -> Response:
    return await _act(request, who, filing_id, "amend_list", filings.amend(
        request.app.state.runtime.uow(), filing_id, reason.strip(), who.actor, transport_mode.strip() or None))


@router.post("/{filing_id}/gate-pass")
async def gate_pass(request: Request, filing_id: str, who: Writer, vehicle_no: Text, pass_type: Text = "2") -> Response:
    return await _act(request, who, filing_id, "send_gate_pass", filings.gate_pass(
        request.app.state.runtime.uow(), filing_id, pass_type.strip(), vehicle_no.strip(), who.actor))


@router.post("/{filing_id}/cancellation")
async def cancel(request: Request, filing_id: str, who: Writer, reason: Text) -> Response:
    return await _act(request, who, filing_id, "cancel_list",
                      filings.cancel(request.app.state.runtime.uow(), filing_id, reason.strip(), who.actor))
