"""Entry filings; beside them every message sent to the customs platform and every receipt that came back, and the
position in the platform's receipt feed (the tables every declaring service shares, ``services/kit/customs``)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from services.intake.db.tables import Base
from services.intake.domain.entry_filings import EntryFiling
from services.kit.customs.lifecycle import State
from services.kit.customs.store import Filings, customs_tables
from services.kit.db import UtcDateTime


class EntryFilingRow(Base):
    __tablename__ = "entry_filings"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    unit_ids: Mapped[list[str]] = mapped_column(JSON)
    owner_id: Mapped[str] = mapped_column(String(64), index=True)
    origin_country: Mapped[str] = mapped_column(String(2))
    transport_mode: Mapped[str] = mapped_column(String(4))
    supervision_mode: Mapped[str] = mapped_column(String(4))
    state: Mapped[str] = mapped_column(String(24), index=True)
    list_message_id: Mapped[str | None] = mapped_column(String(36))
    list_no: Mapped[str | None] = mapped_column(String(18), index=True)
    pass_message_id: Mapped[str | None] = mapped_column(String(36))
    pass_no: Mapped[str | None] = mapped_column(String(18))
    pass_type: Mapped[str | None] = mapped_column(String(1))
    inspection: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    change_message_id: Mapped[str | None] = mapped_column(String(36))
    history: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    created_by: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)


CUSTOMS = customs_tables(Base.metadata)  # customs_messages, customs_receipts, customs_feed
FIELDS = tuple(EntryFiling.__dataclass_fields__)


def _filing(r: EntryFilingRow) -> EntryFiling:
    values = {f: getattr(r, f) for f in FIELDS}
    return EntryFiling(**(values | {"state": State(r.state), "unit_ids": list(r.unit_ids),
                                    "history": list(r.history)}))


class EntryFilingRepository(Filings[EntryFiling]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, CUSTOMS, EntryFilingRow, _filing, "entry filing")
