"""Stocktakes (盘点) on the desk: open one for a custody location (the book's side frozen then), enter the counts
per account-book item (units by serial), see book against counted, explain a difference or raise it as a discrepancy
for customs, close once every difference is settled; each through service/stocktake.py's use cases. Customs
officers read (a raised discrepancy is resolved through the API: POST /v1/stocktakes/{id}/differences/{item_no})."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.dispatch.domain.stocktake import Count, Handling
from services.dispatch.service import desk_customs, stocktake
from services.dispatch.web import i18n, refusals
from services.dispatch.web.render import page
from services.dispatch.web.routing import DeskRoute
from services.dispatch.web.session import PageError, Reader, Writer
from services.kit.auth import Principal
from services.kit.errors import DomainError, NotFound, RuleViolation

router = APIRouter(prefix="/desk/stocktakes", include_in_schema=False, route_class=DeskRoute)
Text = Annotated[str, Form(max_length=2000)]
HOW = {"explain": Handling.explained, "raise": Handling.raised}
MAX_QUANTITY = Decimal("1e12")


async def _list_page(request: Request, who: Principal, status: int = 200, **extra: Any) -> HTMLResponse:
    found = await desk_customs.stocktakes(request.app.state.runtime.uow())
    return page(request, "stocktakes.html", who, status=status, stocktakes=found, **extra)


@router.get("", response_class=HTMLResponse)
async def stocktake_list(request: Request, who: Reader) -> HTMLResponse:
    return await _list_page(request, who)


@router.post("")
async def open_one(request: Request, who: Writer, location: Text) -> Response:
    try:
        if not location.strip():
            raise RuleViolation("say which custody location is counted", field="location")
        s = await stocktake.open_stocktake(request.app.state.runtime.uow(), location, who.actor)
    except DomainError as exc:
        t = i18n.Translator(i18n.pick(request))
        error = refusals.explain(exc, t)
        return await _list_page(request, who, status=exc.status, failed="open_stocktake", error=error)
    return RedirectResponse(f"/desk/stocktakes/{s.id}?done=open_stocktake", status_code=303)


async def _page(request: Request, who: Principal, stocktake_id: str, status: int = 200, **extra: Any) -> HTMLResponse:
    rt = request.app.state.runtime
    try:
        s = await stocktake.get(rt.uow(), stocktake_id)
    except NotFound:
        raise PageError(404, "not_found") from None
    items = await desk_customs.book_items(rt.uow())
    lines = sorted(set(s.book) | set(s.counts) | set(items))
    return page(request, "stocktake.html", who, status=status, s=s, items=items, lines=lines,
                differences={d.book_item_no: d for d in s.differences()}, **extra)


@router.get("/{stocktake_id}", response_class=HTMLResponse)
async def stocktake_page(request: Request, stocktake_id: str, who: Reader, done: str | None = None) -> HTMLResponse:
    return await _page(request, who, stocktake_id, done=done)


async def _act(request: Request, who: Principal, stocktake_id: str, what: str, action: Any) -> Response:
    try:
        await action()
    except DomainError as exc:
        t = i18n.Translator(i18n.pick(request))
        return await _page(request, who, stocktake_id, status=exc.status, failed=what, error=refusals.explain(exc, t))
    return RedirectResponse(f"/desk/stocktakes/{stocktake_id}?done={what}", status_code=303)


def _counts(form: Any) -> list[Count]:
    """``qty_<item no>`` (blank: not counted) and ``serials_<item no>`` (one a line or separated by spaces)."""
    out = []
    for key, raw in form.multi_items():
        if not key.startswith("qty_") or not str(raw).strip():
            continue
        item_no = key.removeprefix("qty_")
        try:
            quantity = Decimal(str(raw).strip())
        except InvalidOperation:
            raise RuleViolation(f"count {str(raw)[:40]!r} for item {item_no[:10]} is not a number",
                                field="quantity") from None
        if not item_no.isdigit() or not quantity.is_finite() or abs(quantity) > MAX_QUANTITY:
            raise RuleViolation(f"count {str(raw)[:40]!r} for item {item_no[:10]} is not a number", field="quantity")
        serials = str(form.get(f"serials_{item_no}", "")).split()
        out.append(Count(int(item_no), quantity, serials))
    if not out:
        raise RuleViolation("enter at least one count", field="quantity")
    return out


@router.post("/{stocktake_id}/counts")
async def counts(request: Request, stocktake_id: str, who: Writer) -> Response:
    form = await request.form()

    async def run() -> None:
        await stocktake.count(request.app.state.runtime.uow(), stocktake_id, _counts(form), who.actor)
    return await _act(request, who, stocktake_id, "enter_counts", run)


@router.post("/{stocktake_id}/differences/{item_no}")
async def handle(request: Request, stocktake_id: str, item_no: int, who: Writer, action: Text, note: Text) -> Response:
    async def run() -> None:
        if action not in HOW:
            raise RuleViolation(f"unknown action {action[:20]!r}: explain or raise", field="action")
        await stocktake.handle(request.app.state.runtime.uow(), stocktake_id, item_no, HOW[action], note, who.actor)
    return await _act(request, who, stocktake_id, f"difference_{action}" if action in HOW else "handle", run)


@router.post("/{stocktake_id}/close")
async def close(request: Request, stocktake_id: str, who: Writer) -> Response:
    async def run() -> None:
        await stocktake.close(request.app.state.runtime.uow(), stocktake_id, who.actor)
    return await _act(request, who, stocktake_id, "close_stocktake", run)
