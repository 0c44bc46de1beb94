from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.messaging.uow import SqlUnitOfWork
from services.repair.db.repositories import WorkOrderRepository


class RepairUnitOfWork(SqlUnitOfWork):
    work_orders: WorkOrderRepository

    def _open(self, session: AsyncSession) -> None:
        self.work_orders = WorkOrderRepository(session)
