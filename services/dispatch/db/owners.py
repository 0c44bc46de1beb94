"""The owners intake registered, as dispatch learns them from ``owner.registered`` events: who may receive an
exchange-pool allocation."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from services.dispatch.db.tables import Base
from services.kit.db import UtcDateTime


class OwnerRow(Base):
    __tablename__ = "owners"
    owner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    country: Mapped[str] = mapped_column(String(2))
    group: Mapped[str | None] = mapped_column(String(100))
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime)


@dataclass(frozen=True)
class RegisteredOwner:
    owner_id: str
    name: str
    kind: str
    country: str
    group: str | None
    registered_at: datetime


class OwnerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, owner_id: str) -> RegisteredOwner | None:
        row = await self.session.get(OwnerRow, owner_id)
        return None if row is None else RegisteredOwner(row.owner_id, row.name, row.kind, row.country, row.group,
                                                        row.registered_at)

    async def save(self, o: RegisteredOwner) -> None:
        """The latest registration wins (intake announces an owner again after an upgrade: same facts)."""
        row = await self.session.get(OwnerRow, o.owner_id)
        if row is None:
            self.session.add(OwnerRow(owner_id=o.owner_id, name=o.name, kind=o.kind, country=o.country,
                                      group=o.group, registered_at=o.registered_at))
            return
        row.name, row.kind, row.country, row.group = o.name, o.kind, o.country, o.group
