"""Trade compliance's tables and repository: the lists' versions, screenings (the audit of every check), holds, and
the consignee of each shipment. Registered on dispatch's metadata (migration 0017)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Integer, String, Text, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from services.dispatch.db import compliance_codec as codec
from services.dispatch.db.tables import Base, DispatchItemRow, ShipmentRow
from services.dispatch.domain.compliance_lists import ComplianceLists, ListsEdit, ListsVersion
from services.dispatch.domain.holds import Hold, HoldStatus
from services.dispatch.domain.screening import Party
from services.kit.db import UtcDateTime
from services.kit.errors import Conflict, NotFound


class ComplianceListsRow(Base):
    __tablename__ = "compliance_list_versions"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(500))
    source_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON)


class ScreeningRow(Base):
    __tablename__ = "compliance_screenings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(36), index=True)
    point: Mapped[str] = mapped_column(String(32))
    list_version: Mapped[int] = mapped_column(Integer)
    screened: Mapped[dict] = mapped_column(JSON)      # what was screened: the country and goods, or the party
    hits: Mapped[list] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(200))


class HoldRow(Base):
    __tablename__ = "compliance_holds"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subject: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(36), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    hit: Mapped[dict] = mapped_column(JSON)
    point: Mapped[str] = mapped_column(String(32))
    list_version: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    opened_by: Mapped[str] = mapped_column(String(200))
    closure: Mapped[dict | None] = mapped_column(JSON)


class ConsigneeRow(Base):
    __tablename__ = "shipment_consignees"
    shipment_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    address: Mapped[str] = mapped_column(Text, default="")
    country: Mapped[str | None] = mapped_column(String(2))
    set_at: Mapped[datetime] = mapped_column(UtcDateTime)
    set_by: Mapped[str] = mapped_column(String(200))


@dataclass(frozen=True)
class Screening:
    subject: str
    subject_id: str
    point: str
    list_version: int
    screened: dict[str, Any]
    hits: list[dict[str, Any]]
    at: datetime
    actor: str


class ComplianceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lists(self, version: int | None = None) -> ComplianceLists:
        """A version of the lists (the latest by default); before any version, empty lists (nothing is listed)."""
        wanted = version if version is not None else await self.session.scalar(
            select(func.max(ComplianceListsRow.version)))
        row = await self.session.get(ComplianceListsRow, wanted) if wanted is not None else None
        if row is None:
            if version is not None:
                raise NotFound(f"compliance lists version {version} not found")
            return ComplianceLists()
        return codec.lists_of(row.version, row.data, row.source, row.source_date)

    async def add_version(self, lists: ComplianceLists, edit: ListsEdit, at: datetime) -> None:
        try:
            async with self.session.begin_nested():
                await self.session.execute(insert(ComplianceListsRow).values(
                    version=lists.version, created_at=at, created_by=edit.actor, source=edit.source,
                    source_date=edit.source_date, note=edit.note, data=codec.lists_data(lists)))
        except IntegrityError:
            raise Conflict(f"compliance lists version {lists.version} was made by a concurrent edit; retry") from None

    async def versions(self) -> list[ListsVersion]:
        rows = await self.session.execute(select(
            ComplianceListsRow.version, ComplianceListsRow.created_at, ComplianceListsRow.created_by,
            ComplianceListsRow.source, ComplianceListsRow.source_date, ComplianceListsRow.note,
        ).order_by(ComplianceListsRow.version))
        return [ListsVersion(*r) for r in rows]

    async def record(self, s: Screening) -> None:
        self.session.add(ScreeningRow(subject=s.subject, subject_id=s.subject_id, point=s.point,
                                      list_version=s.list_version, screened=s.screened, hits=s.hits, at=s.at,
                                      actor=s.actor))

    async def screenings(self, subject: str, subject_id: str) -> list[Screening]:
        rows = await self.session.scalars(select(ScreeningRow).where(
            ScreeningRow.subject == subject, ScreeningRow.subject_id == subject_id).order_by(ScreeningRow.id))
        return [Screening(r.subject, r.subject_id, r.point, r.list_version, r.screened, r.hits, r.at, r.actor)
                for r in rows]

    async def holds(self, subject: str | None = None, subject_id: str | None = None,
                    status: str | None = None, limit: int = 500, offset: int = 0) -> list[Hold]:
        q = select(HoldRow).order_by(HoldRow.opened_at, HoldRow.id).limit(limit).offset(offset)
        for column, value in ((HoldRow.subject, subject), (HoldRow.subject_id, subject_id), (HoldRow.status, status)):
            if value is not None:
                q = q.where(column == value)
        return [_hold(r) for r in await self.session.scalars(q)]

    async def hold(self, hold_id: str) -> Hold:
        row = await self.session.get(HoldRow, hold_id)
        if row is None:
            raise NotFound(f"compliance hold {hold_id} not found")
        return _hold(row)

    async def save_hold(self, h: Hold) -> None:
        row = await self.session.get(HoldRow, h.id)
        values = {"subject": h.subject, "subject_id": h.subject_id, "status": h.status.value,
                  "hit": codec.hit_data(h.hit), "point": h.point, "list_version": h.list_version,
                  "opened_at": h.opened_at, "opened_by": h.opened_by, "closure": codec.closure_data(h.closure)}
        if row is None:
            self.session.add(HoldRow(id=h.id, **values))
        else:
            for k, v in values.items():
                setattr(row, k, v)

    async def consignee(self, shipment_id: str) -> Party | None:
        row = await self.session.get(ConsigneeRow, shipment_id)
        return Party(row.name, row.address, row.country) if row else None

    async def set_consignee(self, shipment_id: str, p: Party, actor: str, at: datetime) -> None:
        row = await self.session.get(ConsigneeRow, shipment_id)
        if row is None:
            self.session.add(ConsigneeRow(shipment_id=shipment_id, name=p.name, address=p.address, country=p.country,
                                          set_at=at, set_by=actor))
        else:
            row.name, row.address, row.country, row.set_at, row.set_by = p.name, p.address, p.country, at, actor

    async def open_item_ids(self, states: tuple[str, ...]) -> list[str]:
        rows = await self.session.scalars(select(DispatchItemRow.item_id).where(DispatchItemRow.state.in_(states))
                                          .order_by(DispatchItemRow.item_id))
        return list(rows)

    async def open_shipment_ids(self, states: tuple[str, ...]) -> list[str]:
        rows = await self.session.scalars(select(ShipmentRow.id).where(ShipmentRow.state.in_(states))
                                          .order_by(ShipmentRow.id))
        return list(rows)


def _hold(r: HoldRow) -> Hold:
    return Hold(id=r.id, subject=r.subject, subject_id=r.subject_id, hit=codec.hit_of(r.hit),  # type: ignore[arg-type]
                point=r.point, list_version=r.list_version, opened_at=r.opened_at,  # type: ignore[arg-type]
                opened_by=r.opened_by, status=HoldStatus(r.status), closure=codec.closure_of(r.closure))
