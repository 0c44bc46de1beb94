from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.repair.db.old_parts import OldPartRepository
from services.repair.db.reference import ReferenceRepository
from services.repair.db.reservations import ReservationRepository
from services.repair.db.stock import StockRepository
from services.repair.db.work_log import LabourRepository, TestRepository
from services.repair.db.work_orders import WorkOrderRepository
from shared.messaging.uow import SqlUnitOfWork


class RepairUnitOfWork(SqlUnitOfWork):
    work_orders: WorkOrderRepository
    labour: LabourRepository
    tests: TestRepository
    stock: StockRepository
    reservations: ReservationRepository
    old_parts: OldPartRepository
    reference: ReferenceRepository

    def _open(self, session: AsyncSession) -> None:
        self.work_orders = WorkOrderRepository(session)
        self.labour = LabourRepository(session)
        self.tests = TestRepository(session)
        self.stock = StockRepository(session)
        self.reservations = ReservationRepository(session)
        self.old_parts = OldPartRepository(session)
        self.reference = ReferenceRepository(session)
