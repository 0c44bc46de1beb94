"""Figures across work orders."""
from __future__ import annotations

from datetime import datetime

from services.repair.domain.testing import Yield, first_pass_yield
from services.repair.service.uow import RepairUnitOfWork


async def first_pass(uow: RepairUnitOfWork, since: datetime | None, until: datetime | None) -> Yield:
    """Share of work orders whose first test passed, among those first tested in [since, until)."""
    async with uow:
        return first_pass_yield(await uow.tests.first_results(since, until))
