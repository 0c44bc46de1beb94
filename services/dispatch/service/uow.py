from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.db.compliance import ComplianceRepository
from services.dispatch.db.items import ItemRepository, ShipmentRepository
from services.dispatch.db.owners import OwnerRepository
from services.dispatch.db.reference import ReferenceRepository
from shared.messaging.uow import SqlUnitOfWork


class DispatchUnitOfWork(SqlUnitOfWork):
    items: ItemRepository
    shipments: ShipmentRepository
    reference: ReferenceRepository
    owners: OwnerRepository
    compliance: ComplianceRepository

    def _open(self, session: AsyncSession) -> None:
        self.items = ItemRepository(session)
        self.shipments = ShipmentRepository(session)
        self.reference = ReferenceRepository(session)
        self.owners = OwnerRepository(session)
        self.compliance = ComplianceRepository(session)
