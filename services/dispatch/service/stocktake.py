"""Stocktakes (盘点) and the period close (核销) of the account book: use cases."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from services.dispatch.db.account_book import AccountBookRepository
from services.dispatch.db.ledger import LedgerRepository
from services.dispatch.db.stocktake import ClosedPeriod, StocktakeRepository
from services.dispatch.domain.stocktake import Count, Handling, Stocktake
from services.dispatch.service import account_book
from services.dispatch.service.uow import DispatchUnitOfWork as UoW
from services.kit.errors import Conflict, NotFound, RuleViolation
from shared.clock import utc_now


async def open_stocktake(uow: UoW, location: str, actor: str) -> Stocktake:
    """Freeze the book's side now: per item its quantity on hand, and the serials of its units."""
    async with uow:
        book = await account_book.current(AccountBookRepository(uow.session))
        ledger, now = LedgerRepository(uow.session), utc_now()
        serials = await ledger.book_units_on_hand(book.book_no, now)
        held: dict[int, Any] = {}
        for item_no, _currency, qty, _legal, _value in await ledger.book_holdings(book.book_no, now):
            if qty > 0:
                held[item_no] = held.get(item_no, 0) + qty
        s = Stocktake(str(uuid.uuid4()), location.strip(), now,
                      {n: (q, serials.get(n, [])) for n, q in held.items()})
        await StocktakeRepository(uow.session).add(s, actor)
        await uow.commit()
        return s


async def _change(uow: UoW, stocktake_id: str, actor: str, fn: Any) -> Stocktake:
    async with uow:
        repo = StocktakeRepository(uow.session)
        s = await repo.get(stocktake_id, for_update=True)
        if s is None:
            raise NotFound(f"stocktake {stocktake_id} not found")
        fn(s)
        await repo.save(s, actor)
        await uow.commit()
        return s


async def count(uow: UoW, stocktake_id: str, counts: list[Count], actor: str) -> Stocktake:
    async with uow:
        items = {i.item_no for i in await AccountBookRepository(uow.session).items(
            (await account_book.current(AccountBookRepository(uow.session))).book_no)}
    unknown = sorted({c.book_item_no for c in counts} - items)
    if unknown:
        raise RuleViolation(f"items {', '.join(map(str, unknown))} are not in the account book", field="item_no")

    def apply(s: Stocktake) -> None:
        for c in counts:
            s.count(c)
    return await _change(uow, stocktake_id, actor, apply)


async def handle(uow: UoW, stocktake_id: str, item_no: int, how: Handling, note: str, actor: str) -> Stocktake:
    return await _change(uow, stocktake_id, actor, lambda s: s.handle(item_no, how, note, actor))


async def close(uow: UoW, stocktake_id: str, actor: str) -> Stocktake:
    return await _change(uow, stocktake_id, actor, lambda s: s.close(utc_now()))


async def get(uow: UoW, stocktake_id: str) -> Stocktake:
    async with uow:
        s = await StocktakeRepository(uow.session).get(stocktake_id)
        if s is None:
            raise NotFound(f"stocktake {stocktake_id} not found")
        return s


# ---- the period close --------------------------------------------------------------------------------------------

async def close_period(uow: UoW, since: datetime, until: datetime, report: dict[str, Any],
                       actor: str) -> ClosedPeriod:
    """Keep the period's verification report as it stands now; a closed period is read-only and periods of one
    book do not overlap."""
    if until <= since:
        raise RuleViolation("a period ends after it begins", field="to")
    if until > utc_now():
        raise RuleViolation("a period is closed once it has ended", field="to")
    async with uow:
        repo = StocktakeRepository(uow.session)
        book = await account_book.current(AccountBookRepository(uow.session))
        for p in await repo.periods(book.book_no):
            if p.since < until and since < p.until:
                raise Conflict(f"period {p.since:%Y-%m-%d}..{p.until:%Y-%m-%d} of book {book.book_no} is closed "
                               "already and overlaps; periods do not overlap")
        row = ClosedPeriod(id=str(uuid.uuid4()), book_no=book.book_no, since=since, until=until, report=report,
                           closed_at=utc_now(), closed_by=actor)
        await repo.add_period(row)
        await uow.commit()
        return row


async def periods(uow: UoW) -> list[ClosedPeriod]:
    async with uow:
        book = await account_book.current(AccountBookRepository(uow.session))
        return await StocktakeRepository(uow.session).periods(book.book_no)


async def period(uow: UoW, period_id: str) -> tuple[ClosedPeriod, int]:
    """A closed period and how many ledger lines dated in it were recorded after it was closed (late events)."""
    async with uow:
        row = await StocktakeRepository(uow.session).period(period_id)
        if row is None:
            raise NotFound(f"period {period_id} not found")
        late = await LedgerRepository(uow.session).recorded_after(row.since, row.until, row.closed_at)
        return row, late
