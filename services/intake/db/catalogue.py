"""The versioned repair product catalogue: every edit stores a whole new version."""
from __future__ import annotations

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db.tables import CatalogueEntryRow, CatalogueVersionRow, ProhibitionRow
from services.intake.domain.catalogue import Catalogue, CatalogueVersion, Entry, Prohibition
from services.kit.errors import Conflict, NotFound
from shared.clock import utc_now

_VERSIONS: dict[tuple[str, int], Catalogue] = {}  # versions never change once written: cache per database


class CatalogueRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def latest_version(self) -> int:
        return await self.session.scalar(select(func.max(CatalogueVersionRow.version))) or 0

    async def get(self, version: int | None = None) -> Catalogue:
        version = version or await self.latest_version()
        # .engine: the sync Engine of an AsyncEngine, the AsyncEngine of an AsyncConnection; the same URL either way
        key = (str(self.session.bind.engine.url) if self.session.bind else "", version)
        if key not in _VERSIONS:
            _VERSIONS[key] = await self._load(version)
        return _VERSIONS[key]

    async def _load(self, version: int) -> Catalogue:
        if not await self.session.get(CatalogueVersionRow, version):
            raise NotFound(f"catalogue version {version} not found")
        entries = await self.session.scalars(select(CatalogueEntryRow).where(CatalogueEntryRow.version == version))
        banned = await self.session.scalars(select(ProhibitionRow).where(ProhibitionRow.version == version))
        return Catalogue(version, {e.hs_code: Entry(e.hs_code, e.description, e.own_products_only) for e in entries},
                         [Prohibition(p.hs_prefix, p.reason) for p in banned])

    async def add_version(self, c: Catalogue, actor: str, note: str) -> None:
        """Store ``c`` as a new version; 409 if another edit took that version number first."""
        try:
            async with self.session.begin_nested():
                await self.session.execute(insert(CatalogueVersionRow).values(
                    version=c.version, created_at=utc_now(), created_by=actor, note=note))
        except IntegrityError:
            raise Conflict(f"catalogue version {c.version} was created by a concurrent edit; retry") from None
        if c.entries:
            await self.session.execute(insert(CatalogueEntryRow), [
                {"version": c.version, "hs_code": e.hs_code, "description": e.description,
                 "own_products_only": e.own_products_only} for e in c.entries.values()])
        if c.prohibited:
            await self.session.execute(insert(ProhibitionRow), [
                {"version": c.version, "hs_prefix": p.hs_prefix, "reason": p.reason} for p in c.prohibited])

    async def versions(self) -> list[CatalogueVersion]:
        rows = await self.session.scalars(select(CatalogueVersionRow).order_by(CatalogueVersionRow.version))
        return [CatalogueVersion(r.version, r.created_at, r.created_by, r.note) for r in rows]
