"""Receive bonded spare parts; repair's stock learns of them through the event."""
from __future__ import annotations

from services.intake.domain.parts import PartsReceipt
from services.intake.service import outgoing
from services.intake.service.reference import iso_reference
from services.intake.service.uow import IntakeUnitOfWork


async def receive(uow: IntakeUnitOfWork, receipt: PartsReceipt, actor: str) -> PartsReceipt:
    async with uow:
        uow.actor = actor
        receipt.check(iso_reference().currencies)
        uow.records.add_parts(receipt, actor)
        uow.publish(outgoing.parts(receipt))
        await uow.commit()
        return receipt
