from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db.catalogue import CatalogueRepository
from services.intake.db.declarations import DeclarationRepository, RecordsRepository
from services.intake.db.owners import OwnerRepository
from services.intake.db.units import UnitRepository
from shared.messaging.uow import SqlUnitOfWork


class IntakeUnitOfWork(SqlUnitOfWork):
    units: UnitRepository
    owners: OwnerRepository
    catalogue: CatalogueRepository
    declarations: DeclarationRepository
    records: RecordsRepository

    def _open(self, session: AsyncSession) -> None:
        self.units = UnitRepository(session)
        self.owners = OwnerRepository(session)
        self.catalogue = CatalogueRepository(session)
        self.declarations = DeclarationRepository(session)
        self.records = RecordsRepository(session)
