"""Quote the repair to the owner (or skip the quote: warranty, owner agreement); the owner decides."""
from __future__ import annotations

from decimal import Decimal

from services.repair.domain.quotes import Quote, skip_reason
from services.repair.domain.work_orders import WorkOrder
from services.repair.service import outgoing
from services.repair.service.common import load, save
from services.repair.service.reference import currencies
from services.repair.service.uow import RepairUnitOfWork
from shared.clock import utc_now


async def issue(uow: RepairUnitOfWork, work_order_id: str, repair_fee: Decimal, parts_estimate: Decimal,
                currency: str, actor: str, expected_version: int | None = None) -> WorkOrder:
    async with uow:
        uow.actor, at = actor, utc_now()
        q = Quote(repair_fee, parts_estimate, currency, at, actor)
        q.check(currencies())  # at the door, before the work order is read
        wo = await load(uow, work_order_id, expected_version)
        skip = skip_reason(wo.warranty, await uow.reference.agreement(wo.owner_id))
        wo.issue_quote(q, currencies(), skip, actor)
        await save(uow, wo, actor, at)
        uow.publish(outgoing.quote_issued(wo))
        await uow.commit()
        return wo


async def decide(uow: RepairUnitOfWork, work_order_id: str, approve: bool, note: str, by_owner: str | None,
                 actor: str, expected_version: int | None = None) -> WorkOrder:
    """``by_owner``: the owner a partner acts for (None for staff acting on the owner's instruction)."""
    async with uow:
        uow.actor, at = actor, utc_now()
        wo = await load(uow, work_order_id, expected_version)
        wo.decide_quote(approve, by_owner, note, at, actor)
        await save(uow, wo, actor, at)
        uow.publish(outgoing.quote_decided(wo))
        await uow.commit()
        return wo
