"""The bonded ledger's lines (append-only) and the queries its reports run; sums and windows stay in SQL.

Every line inserted also counts in the running totals (``ledger_totals``), in the same transaction."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    case,
    cast,
    func,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from services.dispatch.db import ledger_totals
from services.dispatch.db.tables import Base
from services.dispatch.domain.ledger import (
    EXITS,
    EXTERNAL,
    INWARD,
    Category,
    ItemKind,
    Line,
    Movement,
    Position,
    max_opt,
    min_opt,
)
from services.kit.db import UtcDateTime

LOCK_CLASS = 0x4C454447  # "LEDG": first key of the two-key advisory locks that serialise one item's ledger writes


class LedgerLineRow(Base):
    __tablename__ = "ledger_lines"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(String(250))
    item_kind: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    movement: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    documents: Mapped[dict] = mapped_column(JSON, default=dict)
    owner_id: Mapped[str | None] = mapped_column(String(64), index=True)
    source: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    part_number: Mapped[str | None] = mapped_column(String(100), index=True)
    parent_id: Mapped[str | None] = mapped_column(String(250), index=True)
    origin: Mapped[str | None] = mapped_column(String(10))
    bonded: Mapped[bool] = mapped_column(Boolean, default=True)
    deadline: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(200))
    # the account book (电子账册): the item the line moved, in its legal units, and the value moved
    book_no: Mapped[str | None] = mapped_column(String(12))
    book_item_no: Mapped[int | None] = mapped_column(Integer)
    legal_quantity: Mapped[Decimal | None] = mapped_column(Numeric(19, 5))
    second_quantity: Mapped[Decimal | None] = mapped_column(Numeric(19, 5))
    value: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    serial_number: Mapped[str | None] = mapped_column(String(100))
    __table_args__ = (UniqueConstraint("source", "item_id", "movement", name="uq_ledger_lines_source_item_movement"),
                      CheckConstraint("quantity > 0", name="quantity_positive"),
                      Index("ix_ledger_lines_item_category_at", "item_id", "category", "at"),
                      Index("ix_ledger_lines_book_item", "book_no", "book_item_no"))


L = LedgerLineRow
FIELDS = tuple(f for f in Line.__dataclass_fields__)
DELTA = case((L.movement.in_([m.value for m in INWARD]), L.quantity), else_=-L.quantity)


@dataclass(frozen=True)
class LineFilter:
    item_id: str | None = None
    item_kind: str | None = None
    category: str | None = None
    movement: str | None = None
    owner_id: str | None = None
    part_number: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class LedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock(self, item_id: str) -> None:
        """PostgreSQL: one writer per item until commit (SQLite already has one writer at a time)."""
        if self.session.get_bind().dialect.name == "postgresql":
            await self.session.execute(text("SELECT pg_advisory_xact_lock(:c, hashtext(:k))"),
                                       {"c": LOCK_CLASS, "k": item_id})

    async def add(self, line: Line, actor: str, now: datetime) -> bool:
        """Insert the line unless its (source, item, movement) is already there; True if inserted."""
        if line.source is not None and await self.session.scalar(select(L.id).where(
                L.source == line.source, L.item_id == line.item_id, L.movement == line.movement.value)):
            return False
        values = {f: getattr(line, f) for f in FIELDS if f != "id"}
        self.session.add(L(**values, recorded_at=now, recorded_by=actor))
        await self.session.flush()
        ledger_totals.count(self.session, line)  # the running totals, written with the line at commit
        return True

    async def first(self, item_id: str) -> Line | None:
        row = await self.session.scalar(select(L).where(L.item_id == item_id).order_by(L.at, L.id).limit(1))
        return _line(row) if row else None

    async def on_hand(self, item_id: str) -> dict[Category, int]:
        rows = await self.session.execute(select(L.category, func.sum(DELTA)).where(L.item_id == item_id)
                                          .group_by(L.category))
        return {Category(c): int(q) for c, q in rows}

    async def held(self, item_id: str, category: str, before_id: int | None = None) -> tuple[Decimal, Decimal]:
        """The item's quantity and value on hand in one category (the value of lines that carry one); with
        ``before_id``, from the lines recorded before that one only."""
        signed_value = case((L.movement.in_([m.value for m in INWARD]), L.value), else_=-L.value)
        q = select(func.sum(DELTA), func.sum(signed_value)).where(L.item_id == item_id, L.category == category)
        q = q.where(L.id < before_id) if before_id is not None else q
        quantity, value = (await self.session.execute(q)).one()
        return _dec(quantity, 0), _dec(value, 2)

    async def book_movements(self, book_no: str, since: datetime | None = None,
                             until: datetime | None = None) -> list[tuple[int, str | None, str, Decimal, Decimal,
                                                                           Decimal]]:
        """Per book item, currency and movement in [since, until): declared quantity, legal quantity, value."""
        q = (select(L.book_item_no, L.currency, L.movement, func.sum(L.quantity), func.sum(L.legal_quantity),
                    func.sum(L.value))
             .where(L.bonded.is_(True), L.book_no == book_no, L.book_item_no.is_not(None))
             .group_by(L.book_item_no, L.currency, L.movement))
        q = q.where(L.at >= since) if since else q
        q = q.where(L.at < until) if until else q
        return [(int(i or 0), c, m, _dec(n, 0), _dec(lq, 5), _dec(v, 2))
                for i, c, m, n, lq, v in await self.session.execute(q)]

    async def book_holdings(self, book_no: str, until: datetime | None = None,
                            ) -> list[tuple[int, str | None, Decimal, Decimal, Decimal]]:
        """Per book item, currency and ledger item (a unit, a lot) before ``until``: quantity, legal quantity and
        value on hand (signed: the caller floors each ledger item at zero)."""
        inward = L.movement.in_([m.value for m in INWARD])
        q = (select(L.book_item_no, L.currency, func.sum(DELTA),
                    func.sum(case((inward, L.legal_quantity), else_=-L.legal_quantity)),
                    func.sum(case((inward, L.value), else_=-L.value)))
             .where(L.bonded.is_(True), L.book_no == book_no, L.book_item_no.is_not(None))
             .group_by(L.book_item_no, L.currency, L.item_id))
        q = q.where(L.at < until) if until else q
        return [(int(i or 0), c, _dec(n, 0), _dec(lq, 5), _dec(v, 2))
                for i, c, n, lq, v in await self.session.execute(q)]

    async def book_units_on_hand(self, book_no: str, until: datetime | None = None) -> dict[int, list[str]]:
        """Per book item, the serials of its units on hand before ``until`` (a unit without a serial: its id)."""
        q = (select(L.book_item_no, L.item_id, func.max(L.serial_number))
             .where(L.bonded.is_(True), L.book_no == book_no, L.item_kind == "unit", L.book_item_no.is_not(None))
             .group_by(L.book_item_no, L.item_id).having(func.sum(DELTA) > 0))
        q = q.where(L.at < until) if until else q
        out: dict[int, list[str]] = {}
        for item_no, item_id, serial in await self.session.execute(q):
            out.setdefault(int(item_no or 0), []).append(serial or item_id)
        return {k: sorted(v) for k, v in out.items()}

    async def recorded_after(self, since: datetime, until: datetime, after: datetime) -> int:
        """Lines dated in [since, until) but recorded after ``after`` (events that arrived once a period closed)."""
        return int(await self.session.scalar(select(func.count()).select_from(L).where(
            L.at >= since, L.at < until, L.recorded_at > after)) or 0)

    async def unbooked(self, limit: int = 200) -> list[Line]:
        """Bonded lines that name no account-book item (recorded before the item was registered, or never was)."""
        q = select(L).where(L.bonded.is_(True), L.book_item_no.is_(None)).order_by(L.at, L.id).limit(limit)
        return [_line(r) for r in await self.session.scalars(q)]

    async def set_book(self, line_id: int, values: dict[str, object]) -> None:
        await self.session.execute(update(L).where(L.id == line_id).values(**values))

    async def lots_on_hand(self, part_number: str) -> list[tuple[str, int]]:
        """Lots of a part number with stock, bonded first, then oldest first."""
        q = (select(L.item_id, func.sum(DELTA)).where(L.part_number == part_number, L.item_kind == "part_lot")
             .group_by(L.item_id, L.bonded).having(func.sum(DELTA) > 0)
             .order_by(L.bonded.desc(), func.min(L.at), L.item_id))
        return [(i, int(q)) for i, q in await self.session.execute(q)]

    async def consumed_into(self, unit_id: str) -> dict[str, tuple[str | None, int]]:
        """Part lots already consumed into a unit: item id -> (part number, quantity)."""
        q = (select(L.item_id, L.part_number, func.sum(L.quantity))
             .where(L.parent_id == unit_id, L.movement == "consumed").group_by(L.item_id, L.part_number))
        return {i: (pn, int(n)) for i, pn, n in await self.session.execute(q)}

    async def find(self, f: LineFilter, limit: int, offset: int) -> list[Line]:
        q = select(L)
        for column, value in ((L.item_id, f.item_id), (L.item_kind, f.item_kind), (L.category, f.category),
                              (L.movement, f.movement), (L.owner_id, f.owner_id), (L.part_number, f.part_number)):
            if value:
                q = q.where(column == value)
        q = q.where(L.at >= f.since) if f.since else q
        q = q.where(L.at < f.until) if f.until else q
        return [_line(r) for r in await self.session.scalars(q.order_by(L.at, L.id).limit(limit).offset(offset))]

    async def positions(self, since: datetime | None = None, until: datetime | None = None,
                        owner_id: str | None = None) -> list[Position]:
        """Per bonded item and category, each movement's total in [since, until), with the facts of its lines;
        ``owner_id``: that owner's lines only (an allocated item's lines before the allocation are its old owner's).
        An item's owner is the owner of its latest line (an allocation moves it)."""
        q = (select(L.item_id, L.item_kind, L.category, L.movement, func.sum(L.quantity), func.min(L.at),
                    func.max(L.owner_id), func.max(L.parent_id), func.max(L.origin), func.max(L.deadline))
             .where(L.bonded.is_(True)).group_by(L.item_id, L.item_kind, L.category, L.movement))
        q = q.where(L.at >= since) if since else q
        q = q.where(L.at < until) if until else q
        q = q.where(L.owner_id == owner_id) if owner_id else q
        out: dict[tuple[str, str], Position] = {}
        for item, kind, cat, mv, qty, first, owner, parent, origin, deadline in await self.session.execute(q):
            p = out.setdefault((item, cat), Position(item, ItemKind(kind), Category(cat)))
            p.moved[Movement(mv)] = int(qty)
            p.first_received_at = first if mv == "received" else p.first_received_at
            p.exited_at = min_opt(p.exited_at, first) if Movement(mv) in EXITS else p.exited_at
            p.owner_id, p.parent_id = max_opt(p.owner_id, owner), max_opt(p.parent_id, parent)
            p.origin, p.deadline = max_opt(p.origin, origin), max_opt(p.deadline, deadline)
        owners = await self._latest_owners(until)
        for p in out.values():
            p.owner_id = owners.get(p.item_id, p.owner_id)
        return list(out.values())

    async def _latest_owners(self, until: datetime | None) -> dict[str, str]:
        n = func.row_number().over(partition_by=L.item_id, order_by=(L.at.desc(), L.id.desc())).label("n")
        q = select(L.item_id, L.owner_id, n).where(L.bonded.is_(True), L.owner_id.is_not(None))
        sub = (q.where(L.at < until) if until else q).subquery()
        rows = await self.session.execute(select(sub.c.item_id, sub.c.owner_id).where(sub.c.n == 1))
        return {item: owner for item, owner in rows}

    async def negatives(self) -> list[tuple[Line, int]]:
        """Per (item, category), the first bonded line after which the running balance (in time order) is < 0."""
        order = (L.at, case((L.movement.in_([m.value for m in INWARD]), 0), else_=1), L.id)
        running = func.sum(DELTA).over(partition_by=(L.item_id, L.category), order_by=order).label("balance")
        sub = select(L.id, running).where(L.bonded.is_(True)).subquery()
        rows = await self.session.execute(select(L, sub.c.balance).join(sub, sub.c.id == L.id)
                                          .where(sub.c.balance < 0).order_by(*order))
        first: dict[tuple[str, str], tuple[Line, int]] = {}
        for row, balance in rows:
            first.setdefault((row.item_id, row.category), (_line(row), int(balance)))
        return list(first.values())

    async def undocumented(self) -> list[Line]:
        """Bonded movements across the zone's fence without any document number (DOMAIN.md rule 4)."""
        q = select(L).where(L.bonded.is_(True), L.movement.in_([m.value for m in EXTERNAL]),
                            cast(L.documents, String).in_(["{}", "null"])).order_by(L.at, L.id)
        return [_line(r) for r in await self.session.scalars(q)]


def _dec(x: object, places: int) -> Decimal:
    """A database sum as an exact decimal (SQLite sums NUMERIC columns as floats)."""
    return Decimal(str(x or 0)).quantize(Decimal(1).scaleb(-places))


def _line(r: LedgerLineRow) -> Line:
    return Line(**{f: getattr(r, f) for f in FIELDS})
