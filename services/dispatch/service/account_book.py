"""The account book's use cases: open the book, register items (备案), the per-item balances and their report, and
booking the ledger lines recorded before their item was registered."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from services.dispatch.db.account_book import AccountBookRepository
from services.dispatch.db.ledger import LedgerRepository
from services.dispatch.domain import account_book as ab
from services.dispatch.domain.account_book import Book, BookItem, ItemBalance, LegalUnits
from services.dispatch.domain.ledger import Movement
from services.dispatch.service.book_keeping import Keeper
from services.dispatch.service.uow import DispatchUnitOfWork as UoW
from services.kit.errors import Conflict, NotFound
from shared.clock import utc_now
from shared.contract.customs import rules


@dataclass(frozen=True)
class ItemRequest:
    kind: str
    material_no: str
    hs_code: str
    goods_name: str
    specification: str
    declared_unit: str
    unit_price: Decimal
    currency: str
    legal_per_declared: Decimal | None = None
    second_per_declared: Decimal | None = None


async def open_book(uow: UoW, book: Book, actor: str) -> Book:
    book.check()
    async with uow:
        repo = AccountBookRepository(uow.session)
        if await repo.book(book.book_no) is not None:
            raise Conflict(f"account book {book.book_no} is already open")
        await repo.add_book(book, utc_now(), actor)
        await uow.commit()
        return book


async def current(repo: AccountBookRepository) -> Book:
    """The book in force, or NotFound saying how to open one."""
    return await _book(repo)


async def _book(repo: AccountBookRepository, book_no: str | None = None) -> Book:
    found = await repo.book(book_no)
    if found is None:
        raise NotFound(f"account book {book_no} not found" if book_no else
                       "no account book is open yet (POST /v1/account-book)")
    return found


def legal_units(hs_code: str) -> LegalUnits | None:
    found = rules.legal_units().get(hs_code)
    return LegalUnits(found["first"], found.get("second")) if found else None


async def register_item(uow: UoW, r: ItemRequest, actor: str) -> BookItem:
    async with uow:
        repo = AccountBookRepository(uow.session)
        book = await _book(repo)
        if await repo.find(book.book_no, r.kind, r.material_no) is not None:
            raise Conflict(f"material {r.material_no} ({r.kind}) is already item of book {book.book_no}")
        item = ab.register(book, await repo.next_item_no(book.book_no), r.kind, r.material_no, r.hs_code,
                           r.goods_name, r.specification, r.declared_unit, legal_units(r.hs_code), r.unit_price,
                           r.currency, r.legal_per_declared, r.second_per_declared,
                           frozenset(rules.codes()["units"]))
        await repo.add_item(item, utc_now(), actor)
        await uow.commit()
        return item


async def book_and_items(uow: UoW) -> tuple[Book, list[BookItem]]:
    async with uow:
        repo = AccountBookRepository(uow.session)
        book = await _book(repo)
        return book, await repo.items(book.book_no)


@dataclass
class ItemReport:
    item: BookItem
    currency: str | None
    balance: ItemBalance


async def balances(uow: UoW, since: datetime | None = None, until: datetime | None = None,
                   ) -> tuple[Book, list[ItemReport], int]:
    """Per item and currency, what each movement moved and what is on hand, in [since, until); and how many bonded
    lines name no item (not in the book)."""
    async with uow:
        books, ledger = AccountBookRepository(uow.session), LedgerRepository(uow.session)
        book = await _book(books)
        items = {i.item_no: i for i in await books.items(book.book_no)}
        out: dict[tuple[int, str | None], ItemReport] = {}
        def report(item_no: int, currency: str | None) -> ItemReport:
            return out.setdefault((item_no, currency), ItemReport(items[item_no], currency, ItemBalance(item_no)))

        if since is not None:  # what was on hand when the span began comes in as the opening
            for item_no, currency, qty, legal, value in await ledger.book_holdings(book.book_no, since):
                if qty > 0:
                    report(item_no, currency).balance.opening.add(qty, legal, value)
        for item_no, currency, movement, qty, legal, value in await ledger.book_movements(book.book_no, since,
                                                                                          until):
            report(item_no, currency).balance.record(Movement(movement), qty, legal, value)
        for item_no, currency, qty, legal, value in await ledger.book_holdings(book.book_no, until):
            report(item_no, currency).balance.hold(qty, legal, value)
        unbooked = len(await ledger.unbooked())
        return book, sorted(out.values(), key=lambda r: (r.item.item_no, r.currency or "")), unbooked


async def assign(uow: UoW, actor: str) -> int:
    """Book the lines recorded before their item was registered (oldest first, so values follow as they would
    have); returns how many were booked."""
    async with uow:
        uow.actor = actor
        ledger, keeper, booked = LedgerRepository(uow.session), Keeper(uow.session), 0
        for line in await ledger.unbooked(limit=10_000):
            entry = await keeper.entry(line)
            if entry.book_item_no is not None and line.id is not None:
                await ledger.set_book(line.id, {"book_no": entry.book_no, "book_item_no": entry.book_item_no,
                                                "legal_quantity": entry.legal_quantity,
                                                "second_quantity": entry.second_quantity, "value": entry.value,
                                                "currency": entry.currency})
                booked += 1
        await uow.commit()
        return booked
