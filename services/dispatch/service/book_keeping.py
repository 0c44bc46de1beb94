"""Each ledger line as it is recorded gets its account-book item, its quantity in the item's legal units and the
value it moved (DOMAIN: the ledger is per item in quantity and value; see ``domain.account_book``).

A line whose item is not registered (no book yet, an unknown material number) is recorded all the same, without
an item: the per-item report lists it as not in the book, and ``assign`` books it once the item is registered.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.db.account_book import AccountBookRepository
from services.dispatch.db.ledger import LedgerRepository
from services.dispatch.domain.account_book import Book, BookItem, outward_value
from services.dispatch.domain.ledger import Line, Movement

_KEEPER = "dispatch.book_keeper"  # session.info key


class Keeper:
    """Within one unit of work: the book in force and its items, looked up once each."""

    def __init__(self, session: AsyncSession) -> None:
        self.books, self.ledger = AccountBookRepository(session), LedgerRepository(session)
        self._book: Book | bool | None = False  # False: not looked up yet
        self._items: dict[tuple[str, str], BookItem | None] = {}
        self._transferred: dict[tuple[str | None, str], tuple[Decimal, str]] = {}

    @classmethod
    def of(cls, session: AsyncSession) -> Keeper:
        """The session's keeper (a unit of work has one session): the events of a consumer batch, applied in one
        transaction, look the book and each item up once between them."""
        keeper = session.info.get(_KEEPER)
        if not isinstance(keeper, Keeper):
            keeper = session.info[_KEEPER] = cls(session)
        return keeper

    async def entry(self, line: Line) -> Line:
        """The line with its book item, legal quantities and value; unchanged if its item is not in the book."""
        item = await self._item(line)
        if item is None:
            return line
        legal, second = item.legal(line.quantity)
        value, currency = await self._value(line, item)
        return replace(line, book_no=item.book_no, book_item_no=item.item_no, legal_quantity=legal,
                       second_quantity=second, value=value, currency=currency)

    async def _item(self, line: Line) -> BookItem | None:
        if not line.bonded or not line.part_number:
            return None
        if self._book is False:
            self._book = await self.books.book()
        if not isinstance(self._book, Book):
            return None
        key = (line.item_kind.value, line.part_number)
        if key not in self._items:
            self._items[key] = await self.books.find(self._book.book_no, *key)
        return self._items[key]

    async def _value(self, line: Line, item: BookItem) -> tuple[Decimal, str]:
        if line.movement is Movement.received:
            if line.value is not None:
                return line.value, line.currency or item.currency
            return item.priced(line.quantity), item.currency
        pair = (line.source, line.item_id)
        if line.movement is Movement.transferred_in and pair in self._transferred:
            return self._transferred.pop(pair)  # what its transferred_out took, into the other category
        # what the item held before this line (``line.id`` is set when booking a line recorded earlier)
        held_quantity, held_value = await self.ledger.held(line.item_id, line.category.value, before_id=line.id)
        first = await self.ledger.first(line.item_id)
        currency = (first.currency if first else None) or item.currency
        value = outward_value(line.quantity, held_quantity, held_value, item)
        if line.movement is Movement.transferred_out:
            self._transferred[pair] = (value, currency)
        return value, currency
