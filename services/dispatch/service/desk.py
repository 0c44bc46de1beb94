"""The dispatch desk's read side, as its pages use it (no query in web/): the dashboard's figures, the units table
and its CSV export, each in a unit of work of its own; and ``reset``, which empties the desk's read models when its
projection is rebuilt (``python -m services.dispatch rebuild --projection desk``).

The desk's read models are its projection's (messaging/desk.py); the ledger's figures are the ledger's running
totals, read through the ledger's own use case: the desk never reads the ledger's tables.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.db.dashboard import SORTS, DashboardRepository, ItemFilter
from services.dispatch.db.desk import delete_read_models
from services.dispatch.service import dashboard, ledger
from services.dispatch.service.dashboard import DUE_TO_SHIP, Policy
from services.dispatch.service.uow import DispatchUnitOfWork as UoW

__all__ = ["DUE_TO_SHIP", "SORTS", "ItemFilter", "Policy", "due_to_ship", "export", "figures", "items", "reset"]


def due_to_ship() -> ItemFilter:
    """The units the dashboard counts as due to ship: at dispatch, in one of ``DUE_TO_SHIP``'s states."""
    return ItemFilter(stage="dispatch", state=tuple(str(s) for s in DUE_TO_SHIP), kind="unit")


async def figures(uow: UoW, p: Policy) -> dict[str, Any]:
    totals = await ledger.totals(uow)
    async with uow:
        return await dashboard.figures(DashboardRepository(uow.session), p, totals)


async def items(uow: UoW, f: ItemFilter, limit: int, offset: int) -> list[Any]:
    """A page of the units table (plain rows of ``dash_items``)."""
    async with uow:
        return await DashboardRepository(uow.session).find(f, limit, offset)


async def export(uow: UoW, f: ItemFilter, chunk: int = 1000) -> AsyncIterator[list[Any]]:
    """Every row ``f`` selects, ``chunk`` at a time from one server-side cursor (the CSV export)."""
    async with uow:
        async for part in DashboardRepository(uow.session).stream(f, chunk):
            yield part


async def reset(session: AsyncSession) -> None:
    """The desk projection's ``reset``: every row of its read models, inside the rebuild's transaction."""
    await delete_read_models(session)
