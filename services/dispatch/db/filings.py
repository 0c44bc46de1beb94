"""Exit filings, every message sent to the customs platform and every receipt that came back, with their states;
and the position in the platform's receipt feed."""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from services.dispatch.db.tables import Base
from services.dispatch.domain.filings import Filing, State
from services.kit.db import UtcDateTime
from services.kit.errors import Conflict

FEED = "receipts"


class FilingRow(Base):
    __tablename__ = "customs_filings"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    item_ids: Mapped[list] = mapped_column(JSON)
    supervision_mode: Mapped[str] = mapped_column(String(4))
    transport_mode: Mapped[str] = mapped_column(String(4))
    destination_country: Mapped[str] = mapped_column(String(2))
    state: Mapped[str] = mapped_column(String(24), index=True)
    list_message_id: Mapped[str | None] = mapped_column(String(36))
    list_no: Mapped[str | None] = mapped_column(String(18), index=True)
    pass_message_id: Mapped[str | None] = mapped_column(String(36))
    pass_no: Mapped[str | None] = mapped_column(String(18))
    inspection: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    history: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)


class MessageRow(Base):
    __tablename__ = "customs_messages"
    message_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    filing_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), index=True)     # pending | sent
    document: Mapped[str] = mapped_column(Text)                    # the XML as sent
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ReceiptRow(Base):
    __tablename__ = "customs_receipts"
    receipt_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[str | None] = mapped_column(String(18))
    simulated: Mapped[bool] = mapped_column()
    document: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class FeedRow(Base):
    __tablename__ = "customs_feed"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    after: Mapped[int] = mapped_column(Integer)


FIELDS = tuple(f for f in Filing.__dataclass_fields__)
MESSAGE, RECEIPT = tuple(MessageRow.__table__.columns), tuple(ReceiptRow.__table__.columns)


def _filing(r: FilingRow) -> Filing:
    values = {f: getattr(r, f) for f in FIELDS}
    return Filing(**(values | {"state": State(r.state), "item_ids": list(r.item_ids), "history": list(r.history)}))


class FilingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._versions: dict[str, int] = {}

    async def add(self, f: Filing, at: datetime, actor: str) -> None:
        values = asdict(f) | {"state": f.state.value}
        self.session.add(FilingRow(**values, created_at=at, created_by=actor, version=1))
        await self.session.flush()

    async def get(self, filing_id: str) -> Filing | None:
        row = await self.session.get(FilingRow, filing_id, with_for_update=True)
        if row is None:
            return None
        self._versions[row.id] = row.version
        return _filing(row)

    async def by_message(self, message_id: str) -> Filing | None:
        filing_id = await self.session.scalar(select(MessageRow.filing_id).where(MessageRow.message_id == message_id))
        return await self.get(filing_id) if filing_id else None

    async def save(self, f: Filing) -> None:
        values = asdict(f) | {"state": f.state.value}
        done = await self.session.execute(update(FilingRow).where(
            FilingRow.id == f.id, FilingRow.version == self._versions[f.id]).values(
            **values, version=FilingRow.version + 1))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(f"filing {f.id} changed meanwhile; read it again")
        self._versions[f.id] += 1

    async def find(self, state: str | None, limit: int) -> list[Filing]:
        q = select(FilingRow).order_by(FilingRow.created_at.desc()).limit(limit)
        q = q.where(FilingRow.state == state) if state else q
        return [_filing(r) for r in (await self.session.execute(q)).scalars()]

    # ---- messages and receipts -----------------------------------------------------------------------------
    async def add_message(self, message_id: str, filing_id: str, kind: str, document: str, at: datetime) -> None:
        self.session.add(MessageRow(message_id=message_id, filing_id=filing_id, kind=kind, state="pending",
                                    document=document, attempts=0, created_at=at))
        await self.session.flush()

    async def pending(self, limit: int = 50) -> list[Any]:
        """Plain rows (they outlive the session), oldest first."""
        q = select(*MESSAGE).where(MessageRow.state == "pending").order_by(MessageRow.created_at).limit(limit)
        return list(await self.session.execute(q))

    async def mark(self, message_id: str, sent_at: datetime | None, error: str | None) -> None:
        values: dict[str, object] = {"attempts": MessageRow.attempts + 1, "last_error": error}
        if sent_at is not None:
            values |= {"state": "sent", "sent_at": sent_at}
        await self.session.execute(update(MessageRow).where(MessageRow.message_id == message_id).values(**values))

    async def messages(self, filing_id: str) -> list[Any]:
        q = select(*MESSAGE).where(MessageRow.filing_id == filing_id).order_by(MessageRow.created_at)
        return list(await self.session.execute(q))

    async def receipts(self, message_ids: list[str]) -> list[Any]:
        q = select(*RECEIPT).where(ReceiptRow.message_id.in_(message_ids)).order_by(ReceiptRow.received_at)
        return list(await self.session.execute(q))

    async def add_receipt(self, row: ReceiptRow) -> bool:
        """Store a receipt once (a duplicate from the platform, or the feed read again, is skipped)."""
        if await self.session.get(ReceiptRow, row.receipt_id) is not None:
            return False
        self.session.add(row)
        await self.session.flush()
        return True

    async def cursor(self) -> int:
        return int(await self.session.scalar(select(FeedRow.after).where(FeedRow.name == FEED)) or 0)

    async def move_cursor(self, after: int) -> None:
        row = await self.session.get(FeedRow, FEED)
        if row is None:
            self.session.add(FeedRow(name=FEED, after=after))
        else:
            row.after = after
        await self.session.flush()
