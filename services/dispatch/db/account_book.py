"""The account book's tables and repository: the book (账册), its items (备案序号), found by kind and material no."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, UniqueConstraint, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from services.dispatch.db.tables import Base
from services.dispatch.domain.account_book import Book, BookItem
from services.kit.db import UtcDateTime


class AccountBookRow(Base):
    __tablename__ = "account_books"
    book_no: Mapped[str] = mapped_column(String(12), primary_key=True)
    enterprise_code: Mapped[str] = mapped_column(String(10))
    enterprise_name: Mapped[str] = mapped_column(String(200))
    book_type: Mapped[str] = mapped_column(String(16))
    customs_district: Mapped[str] = mapped_column(String(4))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    cycle_days: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))


class BookItemRow(Base):
    __tablename__ = "book_items"
    book_no: Mapped[str] = mapped_column(String(12), ForeignKey("account_books.book_no"), primary_key=True)
    item_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    material_no: Mapped[str] = mapped_column(String(100))
    hs_code: Mapped[str] = mapped_column(String(10))
    goods_name: Mapped[str] = mapped_column(String(255))
    specification: Mapped[str] = mapped_column(String(255))
    declared_unit: Mapped[str] = mapped_column(String(3))
    legal_unit: Mapped[str] = mapped_column(String(3))
    legal_per_declared: Mapped[Decimal] = mapped_column(Numeric(18, 6))
    second_unit: Mapped[str | None] = mapped_column(String(3))
    second_per_declared: Mapped[Decimal | None] = mapped_column(Numeric(18, 6))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    __table_args__ = (UniqueConstraint("book_no", "kind", "material_no", name="uq_book_items_kind_material"),)


BOOK_FIELDS = ("book_no", "enterprise_code", "enterprise_name", "book_type", "customs_district", "valid_from",
               "valid_to", "cycle_days")
ITEM_FIELDS = ("book_no", "item_no", "kind", "material_no", "hs_code", "goods_name", "specification",
               "declared_unit", "legal_unit", "legal_per_declared", "second_unit", "second_per_declared",
               "unit_price", "currency")


def _book(r: AccountBookRow) -> Book:
    return Book(**{f: getattr(r, f) for f in BOOK_FIELDS})


def _item(r: BookItemRow) -> BookItem:
    return BookItem(**{f: getattr(r, f) for f in ITEM_FIELDS})


class AccountBookRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def book(self, book_no: str | None = None) -> Book | None:
        """The given book, or (None) the one in force: the enterprise keeps one book for its repair business."""
        q = select(AccountBookRow)
        q = q.where(AccountBookRow.book_no == book_no) if book_no else q.order_by(AccountBookRow.valid_to.desc())
        row = (await self.session.execute(q.limit(1))).scalar_one_or_none()
        return _book(row) if row else None

    async def add_book(self, b: Book, at: datetime, actor: str) -> None:
        self.session.add(AccountBookRow(**{f: getattr(b, f) for f in BOOK_FIELDS}, created_at=at, created_by=actor))
        await self.session.flush()

    async def items(self, book_no: str) -> list[BookItem]:
        q = select(BookItemRow).where(BookItemRow.book_no == book_no).order_by(BookItemRow.item_no)
        return [_item(r) for r in (await self.session.execute(q)).scalars()]

    async def find(self, book_no: str, kind: str, material_no: str) -> BookItem | None:
        q = select(BookItemRow).where(BookItemRow.book_no == book_no, BookItemRow.kind == kind,
                                      BookItemRow.material_no == material_no)
        row = (await self.session.execute(q)).scalar_one_or_none()
        return _item(row) if row else None

    async def next_item_no(self, book_no: str) -> int:
        found = await self.session.scalar(select(func.max(BookItemRow.item_no)).where(BookItemRow.book_no == book_no))
        return int(found or 0) + 1

    async def add_item(self, item: BookItem, at: datetime, actor: str) -> None:
        self.session.add(BookItemRow(**{f: getattr(item, f) for f in ITEM_FIELDS}, created_at=at, created_by=actor))
        await self.session.flush()
