"""Stocktakes (盘点) against the account book, and the period close (核销) with its verification report."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from services.dispatch.api import papers, pdf
from services.dispatch.api.account_book import Balances, Reader, _balance
from services.dispatch.api.deps import UoW
from services.dispatch.db.stocktake import ClosedPeriod
from services.dispatch.domain.stocktake import Count, Handling, Stocktake
from services.dispatch.service import account_book, stocktake
from services.kit.auth import Principal, Role, require
from services.kit.errors import Forbidden

router = APIRouter(tags=["stocktake and period close"])
MAX_ITEM = 999_999  # 备案序号: up to six digits
ItemNo = Annotated[int, Path(ge=1, le=MAX_ITEM, description="the account-book item (备案序号)")]
Counter = Annotated[Principal, Depends(require(Role.dispatcher, Role.admin))]
Handler = Annotated[Principal, Depends(require(Role.dispatcher, Role.customs_officer, Role.admin))]


class StocktakeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    location: str = Field(min_length=1, max_length=200, description="the custody location counted")


class CountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item_no: int = Field(ge=1, le=MAX_ITEM, description="the account-book item (备案序号)")
    quantity: Decimal = Field(ge=0, max_digits=19, decimal_places=5, description="in the declared unit")
    serials: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=10_000, description="units: the serials counted, one per unit")


class CountsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lines: list[CountIn] = Field(min_length=1, max_length=10_000)


class Action(StrEnum):
    explain = "explain"
    raise_ = "raise"
    resolve = "resolve"


HOW = {Action.explain: Handling.explained, Action.raise_: Handling.raised, Action.resolve: Handling.resolved}


class HandleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Action = Field(description="explain (the centre knows why), raise (a discrepancy for customs), "
                                       "resolve (customs officer, a raised one)")
    note: str = Field(min_length=1, max_length=2000)


class DifferenceOut(BaseModel):
    item_no: int
    book_quantity: Decimal
    counted_quantity: Decimal
    difference: Decimal = Field(description="counted minus book")
    missing_serials: list[str]
    found_serials: list[str]
    handling: Handling | None
    note: str
    by: str | None


class StocktakeOut(BaseModel):
    id: str
    location: str
    as_of: datetime
    state: str
    closed_at: datetime | None
    book: dict[int, Decimal] = Field(description="per item, the quantity the book held at as_of")
    counted: dict[int, Decimal]
    differences: list[DifferenceOut]


def _out(s: Stocktake) -> StocktakeOut:
    return StocktakeOut(
        id=s.id, location=s.location, as_of=s.as_of, state=s.state.value, closed_at=s.closed_at,
        book={n: q for n, (q, _serials) in s.book.items()}, counted={n: c.quantity for n, c in s.counts.items()},
        differences=[DifferenceOut(item_no=d.book_item_no, book_quantity=d.book_quantity,
                                   counted_quantity=d.counted_quantity, difference=d.quantity,
                                   missing_serials=d.missing, found_serials=d.found, handling=d.handling,
                                   note=d.note, by=d.by) for d in s.differences()])


@router.post("/v1/stocktakes", status_code=201, summary="Open a stocktake: the book's side is frozen now")
async def open_stocktake(body: StocktakeIn, uow: UoW, who: Counter) -> StocktakeOut:
    return _out(await stocktake.open_stocktake(uow, body.location, who.actor))


@router.get("/v1/stocktakes/{stocktake_id}", summary="Book against counted, with every difference")
async def get_stocktake(stocktake_id: str, uow: UoW, _who: Reader) -> StocktakeOut:
    return _out(await stocktake.get(uow, stocktake_id))


@router.post("/v1/stocktakes/{stocktake_id}/counts", summary="Enter counts per item (units by serial)")
async def enter_counts(stocktake_id: str, body: CountsIn, uow: UoW, who: Counter) -> StocktakeOut:
    counts = [Count(c.item_no, c.quantity, list(c.serials)) for c in body.lines]
    return _out(await stocktake.count(uow, stocktake_id, counts, who.actor))


@router.post("/v1/stocktakes/{stocktake_id}/differences/{item_no}",
             summary="Explain a difference, raise it as a discrepancy, or (customs officer) resolve a raised one")
async def handle(stocktake_id: str, item_no: ItemNo, body: HandleIn, uow: UoW, who: Handler) -> StocktakeOut:
    officer = who.role in (Role.customs_officer, Role.admin)
    if body.action is Action.resolve and not officer:
        raise Forbidden("a raised discrepancy is resolved by a customs officer")
    if body.action is not Action.resolve and who.role is Role.customs_officer:
        raise Forbidden("the centre explains or raises a difference; a customs officer resolves raised ones")
    return _out(await stocktake.handle(uow, stocktake_id, item_no, HOW[body.action], body.note, who.actor))


@router.post("/v1/stocktakes/{stocktake_id}/close", summary="Close: every difference explained or resolved")
async def close(stocktake_id: str, uow: UoW, who: Counter) -> StocktakeOut:
    return _out(await stocktake.close(uow, stocktake_id, who.actor))


# ---- the period close --------------------------------------------------------------------------------------------

class PeriodIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    since: datetime = Field(alias="from")
    until: datetime = Field(alias="to", description="exclusive")


class PeriodOut(BaseModel):
    id: str
    book_no: str
    since: datetime
    until: datetime
    closed_at: datetime
    closed_by: str
    lines_recorded_after_close: int = Field(0, description="ledger lines dated in the period that arrived after it "
                                                           "was closed: they show in the next period's opening")
    report: Balances


def _utc(t: datetime) -> datetime:
    return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t


def period_out(row: ClosedPeriod, late: int = 0) -> PeriodOut:
    return PeriodOut(id=row.id, book_no=row.book_no, since=row.since, until=row.until, closed_at=row.closed_at,
                     closed_by=row.closed_by, lines_recorded_after_close=late,
                     report=Balances.model_validate(row.report))


@router.post("/v1/account-book/periods", status_code=201,
             summary="Close a reporting period: its verification report per item is kept, read-only")
async def close_period(body: PeriodIn, uow: UoW, who: Counter) -> PeriodOut:
    since, until = _utc(body.since), _utc(body.until)
    book, reports, unbooked = await account_book.balances(uow, since, until)
    report = Balances(book_no=book.book_no, since=since, until=until, items=[_balance(r) for r in reports],
                      lines_not_in_book=unbooked)
    return period_out(await stocktake.close_period(uow, since, until, report.model_dump(mode="json"), who.actor))


@router.get("/v1/account-book/periods", summary="The closed periods")
async def list_periods(uow: UoW, _who: Reader) -> list[PeriodOut]:
    return [period_out(p) for p in await stocktake.periods(uow)]


CSV_HEAD = ["item_no", "kind", "material_no", "goods_name", "legal_unit", "currency", "measure", "opening",
            "received", "transferred_in", "transferred_out", "consumed", "exported", "released", "destroyed",
            "closing", "balanced"]


@router.get("/v1/account-book/periods/{period_id}",
            summary="A closed period's verification report (JSON, CSV or a printable PDF)", response_model=PeriodOut,
            responses={200: {"content": {"text/csv": {}, "application/pdf": {}}}})
async def get_period(period_id: str, uow: UoW, _who: Reader,
                     format: Annotated[Literal["json", "csv", "pdf"], Query()] = "json") -> PeriodOut | Response:
    row, late = await stocktake.period(uow, period_id)
    out = period_out(row, late)
    return out if format == "json" else period_csv(out) if format == "csv" else period_pdf(out)


def period_pdf(out: PeriodOut, words: pdf.Words | None = None) -> Response:
    """The verification report as a printable PDF (in Chinese and English unless ``words`` says otherwise)."""
    from services.dispatch.web.i18n import Translator  # the desk's catalogues (web/ imports this module first)

    w = words or pdf.both(Translator("zh"), Translator("en"))
    closed = f"{out.closed_by} · {pdf.stamp(out.closed_at)}"
    name = f"book-{out.book_no}-{out.since:%Y%m%d}-{out.until:%Y%m%d}.pdf"
    return Response(papers.period_report(out.report, closed, w), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


def period_csv(out: PeriodOut) -> Response:
    """The verification report as CSV: per item three rows (quantity, legal quantity, value), a column a movement."""
    buf = io.StringIO()
    buf.write("\ufeff")  # Excel on a Chinese Windows reads UTF-8 with it
    w = csv.writer(buf)
    w.writerow(CSV_HEAD)
    zero = {"quantity": 0, "legal_quantity": 0, "value": 0}
    for i in out.report.items:
        for measure in ("quantity", "legal_quantity", "value"):
            moved = {m.value: getattr(a, measure) for m, a in i.moved.items()}
            w.writerow([i.item_no, i.kind, i.material_no, i.goods_name, i.legal_unit, i.currency, measure,
                        getattr(i.opening, measure), *[moved.get(m, zero[measure]) for m in CSV_HEAD[8:15]],
                        getattr(i.on_hand, measure), i.balanced])
    name = f"book-{out.book_no}-{out.since:%Y%m%d}-{out.until:%Y%m%d}.csv"
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
