"""Reference data: ISO currencies, failure codes and owner agreements (admins edit the last two)."""
from __future__ import annotations

import re

from services.kit import iso
from services.kit.errors import RuleViolation, quote
from services.repair.domain.diagnosis import FailureCode
from services.repair.domain.quotes import OwnerAgreement
from services.repair.service.uow import RepairUnitOfWork
from shared.clock import utc_now

CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")

currencies = iso.currencies


async def failure_codes(uow: RepairUnitOfWork, active_only: bool = False) -> list[FailureCode]:
    async with uow:
        return await uow.reference.failure_codes(active_only)


async def put_failure_code(uow: RepairUnitOfWork, code: FailureCode, actor: str) -> FailureCode:
    if not CODE.match(code.code):
        raise RuleViolation(f"failure code {quote(code.code)}: 1 to 32 capitals, digits, '_' or '-'", field="code")
    if not code.description.strip():
        raise RuleViolation("a failure code needs a description", field="description")
    async with uow:
        await uow.reference.put_failure_code(code, actor, utc_now())
        await uow.commit()
        return code


async def agreements(uow: RepairUnitOfWork, limit: int, offset: int) -> list[OwnerAgreement]:
    async with uow:
        return await uow.reference.agreements(limit, offset)


async def put_agreement(uow: RepairUnitOfWork, a: OwnerAgreement, expected_version: int | None,
                        actor: str) -> OwnerAgreement:
    if not a.owner_id.strip():
        raise RuleViolation("an agreement names its owner", field="owner_id")
    async with uow:
        version = await uow.reference.put_agreement(a, expected_version, actor, utc_now())
        await uow.commit()
        return OwnerAgreement(a.owner_id, a.skip_quote, a.reference, a.note, version)
