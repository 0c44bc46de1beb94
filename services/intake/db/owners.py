"""Owners: rows to domain and back."""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db.tables import CatalogueVersionRow, OwnerRow
from services.intake.domain.owners import Contact, CreditTier, Owner, OwnerKind
from services.kit.errors import Conflict
from shared.messaging.sql import rowcount

OWNERS = cast(Table, OwnerRow.__table__)
# built once (Core, bound parameters): no expression building or ORM loading per request
_GET = select(OWNERS).where(OWNERS.c.id == bindparam("owner_id"))
_GET_WITH_CATALOGUE = select(OWNERS, select(func.max(CatalogueVersionRow.__table__.c.version)).scalar_subquery()
                             .label("latest_catalogue_version")).where(OWNERS.c.id == bindparam("owner_id"))


class OwnerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, owner_id: str) -> Owner | None:
        row = (await self.session.execute(_GET, {"owner_id": owner_id})).first()
        return _to_domain(row) if row else None

    async def get_with_latest_catalogue(self, owner_id: str) -> tuple[Owner | None, int]:
        """The owner and the latest catalogue version (0 if none), in one round trip."""
        row = (await self.session.execute(_GET_WITH_CATALOGUE, {"owner_id": owner_id})).first()
        if row is None:
            return None, 0
        return _to_domain(row), row.latest_catalogue_version or 0

    async def add(self, o: Owner, actor: str) -> None:
        if await self.session.get(OwnerRow, o.id) is not None:
            raise Conflict(f"owner {o.id!r} already exists", field="id")
        self.session.add(OwnerRow(**_to_row(o), created_by=actor, updated_by=actor))

    async def save(self, o: Owner, actor: str) -> None:
        result = await self.session.execute(update(OwnerRow).where(OwnerRow.id == o.id, OwnerRow.version == o.version)
                                            .values(**(_to_row(o) | {"version": o.version + 1, "updated_by": actor})))
        if rowcount(result) != 1:
            raise Conflict(f"owner {o.id} was changed by someone else; reload and retry")
        o.version += 1

    async def unannounced(self, limit: int = 1000) -> list[Owner]:
        rows = await self.session.scalars(select(OwnerRow).where(OwnerRow.announced_at.is_(None))
                                          .order_by(OwnerRow.id).limit(limit))
        return [_to_domain(r) for r in rows]

    async def announced(self, owner_ids: list[str], at: datetime) -> None:
        await self.session.execute(update(OwnerRow).where(OwnerRow.id.in_(owner_ids)).values(announced_at=at))

    async def list(self, limit: int, offset: int) -> list[Owner]:
        rows = await self.session.scalars(select(OwnerRow).order_by(OwnerRow.id).limit(limit).offset(offset))
        return [_to_domain(r) for r in rows]


def _to_row(o: Owner) -> dict:
    return {"id": o.id, "name": o.name, "kind": o.kind.value, "country": o.country,
            "credit_tier": o.credit_tier.value, "group_name": o.group,
            "contacts": [asdict(c) for c in o.contacts], "version": o.version, "customs_code": o.customs_code}


def _to_domain(r: OwnerRow | Row[Any]) -> Owner:
    return Owner(id=r.id, name=r.name, kind=OwnerKind(r.kind), country=r.country,
                 credit_tier=CreditTier(r.credit_tier), group=r.group_name,
                 contacts=[Contact(**c) for c in r.contacts], version=r.version, customs_code=r.customs_code)
