"""What the desk's customs pages read besides the filings' and stocktakes' own use cases (service/filings.py,
service/stocktake.py, which the pages call for every action): filings grouped by what they wait for, the recent
stocktakes, and the account book's items by number (a stocktake's lines name them)."""
from __future__ import annotations

from dataclasses import dataclass

from services.dispatch.db.account_book import AccountBookRepository
from services.dispatch.db.stocktake import StocktakeRepository
from services.dispatch.domain.account_book import BookItem
from services.dispatch.domain.filings import Filing
from services.dispatch.domain.items import DispatchItem
from services.dispatch.domain.stocktake import Stocktake
from services.dispatch.service import filings
from services.dispatch.service.uow import DispatchUnitOfWork as UoW
from services.kit.customs.lifecycle import State

# what a filing waits for, as the desk groups them: customs' answer, the clerk's correction, nothing more
GROUPS: dict[str, tuple[State, ...]] = {
    "waiting": (State.sent, State.accepted, State.inspection, State.released, State.gate_pass_sent,
                State.cancelling),
    "rejected": (State.rejected, State.gate_pass_rejected),
    "done": (State.closed, State.cancelled),
}
LIMIT = 500


@dataclass(frozen=True)
class FilingList:
    filings: list[Filing]
    counts: dict[str, int]      # per group, of the newest ``LIMIT``


def group_of(f: Filing) -> str:
    return next((g for g, states in GROUPS.items() if f.state in states), "waiting")


def waits_for_customs(f: Filing) -> bool:
    """Customs has the next word: a message out (or going out) that no receipt has answered yet."""
    return f.state in (State.sent, State.gate_pass_sent, State.cancelling, State.inspection) or \
        f.change_message_id is not None


async def filing_list(uow: UoW, group: str | None) -> FilingList:
    every = await filings.find(uow, None, LIMIT)
    counts = {g: sum(1 for f in every if group_of(f) == g) for g in GROUPS}
    chosen = [f for f in every if group is None or group_of(f) == group]
    return FilingList(chosen, counts)


async def stocktakes(uow: UoW, limit: int = 50) -> list[Stocktake]:
    async with uow:
        return await StocktakeRepository(uow.session).recent(limit)


async def book_items(uow: UoW) -> dict[int, BookItem]:
    """The items of the book in force by number (empty when no book is open yet)."""
    async with uow:
        repo = AccountBookRepository(uow.session)
        book = await repo.book(None)
        if book is None:
            return {}
        return {i.item_no: i for i in await repo.items(book.book_no)}



async def items(uow: UoW, item_ids: list[str]) -> list[DispatchItem]:
    """A filing's items as dispatch knows them (its serials, owners, destinations), in the filing's order."""
    async with uow:
        found = [await uow.items.get(i) for i in item_ids]
        return [i for i in found if i is not None]
