"""The account book on the desk (read-only, for customs officers and the dispatch desk): the book, its items, and
per item what moved and what is on hand in quantity, legal units and value; the closed periods with their CSV."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.dispatch.api.stocktake import period_csv as csv_of
from services.dispatch.api.stocktake import period_out, period_pdf
from services.dispatch.service import account_book, stocktake
from services.dispatch.web.render import page
from services.dispatch.web.routing import DeskRoute
from services.dispatch.web.session import Reader
from services.kit.errors import NotFound

router = APIRouter(prefix="/desk", include_in_schema=False, route_class=DeskRoute)


@router.get("/book/periods/{period_id}.csv")
async def period_csv(request: Request, period_id: str, _who: Reader) -> Response:
    row, late = await stocktake.period(request.app.state.runtime.uow(), period_id)
    return csv_of(period_out(row, late))


@router.get("/book/periods/{period_id}.pdf")
async def period_report_pdf(request: Request, period_id: str, _who: Reader) -> Response:
    """The verification report, printable, in Chinese and English (what customs reads)."""
    row, late = await stocktake.period(request.app.state.runtime.uow(), period_id)
    return period_pdf(period_out(row, late))


@router.get("/book", response_class=HTMLResponse)
async def book_page(request: Request, who: Reader) -> HTMLResponse:
    uow = request.app.state.runtime.uow
    try:
        book, reports, unbooked = await account_book.balances(uow())
    except NotFound:
        return page(request, "book.html", who, book=None, reports=[], unbooked=0, periods=[])
    return page(request, "book.html", who, book=book, reports=reports, unbooked=unbooked,
                periods=await stocktake.periods(uow()))
