"""Exit filings; beside them every message sent to the customs platform and every receipt that came back, with their
states, and the position in the platform's receipt feed (the tables every declaring service shares)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from services.dispatch.db.tables import Base
from services.dispatch.domain.filings import Filing, State
from services.kit.customs.store import Filings, customs_tables
from services.kit.db import UtcDateTime


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
    change_message_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)


CUSTOMS = customs_tables(Base.metadata)  # customs_messages, customs_receipts, customs_feed
FIELDS = tuple(f for f in Filing.__dataclass_fields__)


def _filing(r: FilingRow) -> Filing:
    values = {f: getattr(r, f) for f in FIELDS}
    return Filing(**(values | {"state": State(r.state), "item_ids": list(r.item_ids), "history": list(r.history)}))


class FilingRepository(Filings[Filing]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, CUSTOMS, FilingRow, _filing, "filing")
