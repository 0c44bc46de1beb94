"""The bonded ledger (DOMAIN.md rule 4) for the dispatch desk and customs officers: lines, balances,
reconciliation (JSON or CSV), flags and inconsistencies."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from services.dispatch.api.deps import UoW
from services.dispatch.api.ledger_schemas import (
    Balances,
    FlagOut,
    Flags,
    Inconsistencies,
    InconsistencyOut,
    ItemLedger,
    LineOut,
    PolicyOut,
    Reconciliation,
    report_parts,
)
from services.dispatch.db.ledger import LineFilter
from services.dispatch.domain.ledger import CATEGORY_IDENTITY, ZONE_IDENTITY, Category, ItemKind, Line, Movement
from services.dispatch.domain.ledger_checks import FlagPolicy, Status
from services.dispatch.service import ledger
from services.kit.auth import Principal, Role, require
from services.kit.errors import MAX_INT
from shared.clock import utc_now

IDENTITIES = f"Per category: {CATEGORY_IDENTITY}. Whole zone: {ZONE_IDENTITY}. On hand floors each item at 0, so " \
             "an identity fails exactly when an item went out without coming in (see /v1/ledger/inconsistencies)."
router = APIRouter(prefix="/v1/ledger", tags=["bonded ledger"])
LedgerReader = Annotated[Principal, Depends(require(Role.dispatcher, Role.customs_officer))]
MOVES = [m.value for m in Movement]


def get_policy(request: Request) -> FlagPolicy:
    s = request.app.state.runtime.d.settings
    return FlagPolicy(s.ledger_cycle_days, s.ledger_warning_days, s.disposal_warning_days)


Policy = Annotated[FlagPolicy, Depends(get_policy)]
OwnerQ = Annotated[str | None, Query(max_length=64, description="one owner's lines only: what it holds in bond (an "
                                     "allocated item's lines are its old owner's up to the allocation; for one "
                                     "owner transfers need not cancel out, allocations move goods between owners)")]
From = Annotated[datetime | None, Query(alias="from", description="inclusive; UTC if no offset")]
To = Annotated[datetime | None, Query(alias="to", description="exclusive; UTC if no offset")]


def _utc(t: datetime | None) -> datetime | None:
    return t.replace(tzinfo=timezone.utc) if t is not None and t.tzinfo is None else t


def _line(ln: Line) -> LineOut:
    return LineOut.model_validate(ln)


@router.get("/lines", summary="Ledger lines, filtered and paginated, oldest first")
async def lines(uow: UoW, _who: LedgerReader, since: From = None, until: To = None, item_id: str | None = None,
                item_kind: ItemKind | None = None, category: Category | None = None, movement: Movement | None = None,
                owner_id: str | None = None, part_number: str | None = None,
                limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0) -> list[LineOut]:
    f = LineFilter(item_id, item_kind, category, movement, owner_id, part_number, _utc(since), _utc(until))
    return [_line(ln) for ln in await ledger.lines(uow, f, limit, offset)]


@router.get("/items/{item_id}", summary="An item's ledger lines and where it is on hand")
async def item(item_id: str, uow: UoW, _who: LedgerReader) -> ItemLedger:
    found, held = await ledger.item(uow, item_id)
    return ItemLedger(item_id=item_id, item_kind=found[0].item_kind, on_hand=held, lines=[_line(ln) for ln in found])


@router.get("/balances", summary="Balances per category of bonded items, now or as of a time",
            description=f"Every movement's total since the beginning and what is on hand (opening is 0, closing is "
                        f"on_hand). {IDENTITIES}")
async def balances(uow: UoW, _who: LedgerReader, as_of: Annotated[datetime | None, Query()] = None,
                   owner_id: OwnerQ = None) -> Balances:
    report = report_parts(await ledger.balances(uow, _utc(as_of), owner_id))
    return Balances.model_validate({"as_of": _utc(as_of) or utc_now(), "identity": IDENTITIES, **report})


@router.get("/reconciliation", summary="Reconciliation report for the period [from, to): JSON or CSV",
            description=f"Opening balance, each movement's total and closing balance per category. {IDENTITIES}",
            response_model=Reconciliation, responses={200: {"content": {"text/csv": {}}}})
async def reconciliation(uow: UoW, _who: LedgerReader, since: Annotated[datetime, Query(alias="from")],
                         until: Annotated[datetime, Query(alias="to")],
                         format: Literal["json", "csv"] = "json",
                         owner_id: OwnerQ = None) -> Response | Reconciliation:
    since, until = _utc(since), _utc(until)  # type: ignore[assignment]
    report = Reconciliation.model_validate({"from": since, "to": until, "identity": IDENTITIES,
                                            **report_parts(await ledger.reconciliation(uow, since, until, owner_id))})
    if format == "json":
        return report
    name = f"ledger-reconciliation-{since:%Y%m%d}-{until:%Y%m%d}.csv"
    return Response(_csv(report), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _csv(report: Reconciliation) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["category", "opening", *MOVES, "closing", "difference", "identity_holds"])
    for r in [*report.categories, report.zone]:
        w.writerow([r.category, r.opening, *[getattr(r, m) for m in MOVES], r.closing, r.difference,
                    str(r.identity_holds).lower()])
    return out.getvalue()


@router.get("/flags", summary="Items near the end of their ledger cycle; old parts near their disposal deadline")
async def flags(uow: UoW, _who: LedgerReader, policy: Policy, status: Status | None = None,
                include_ok: bool = False) -> Flags:
    now = utc_now()
    found = await ledger.flags(uow, now, policy, include_ok or status is Status.ok)
    return Flags(as_of=now, policy=PolicyOut.model_validate(policy),
                 flags=[FlagOut.model_validate(f) for f in found if status is None or f.status is status])


@router.get("/inconsistencies", summary="What does not add up: exits with no entry, negative on hand, ...")
async def inconsistencies(uow: UoW, _who: LedgerReader) -> Inconsistencies:
    found = await ledger.inconsistencies(uow)
    return Inconsistencies(as_of=utc_now(), count=len(found),
                           inconsistencies=[InconsistencyOut.model_validate(i) for i in found])
