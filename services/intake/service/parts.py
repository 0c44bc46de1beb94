"""Receive bonded spare parts; repair's stock learns of them through the event."""
from __future__ import annotations

from services.intake.domain.documents import DocumentFormats
from services.intake.domain.parts import PartsReceipt
from services.intake.service import outgoing
from services.intake.service.reference import iso_reference
from services.intake.service.uow import IntakeUnitOfWork


async def receive(uow: IntakeUnitOfWork, receipt: PartsReceipt, formats: DocumentFormats,
                  actor: str) -> PartsReceipt:
    receipt.check(iso_reference(), formats)  # at the door: nothing is read or written for a refused receipt
    async with uow:
        uow.actor = actor
        uow.records.add_parts(receipt, actor)
        uow.publish(outgoing.parts(receipt))
        await uow.commit()
        return receipt
