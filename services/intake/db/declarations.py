"""Declarations (customs entries) and parts receipts."""
from __future__ import annotations

from typing import cast

from sqlalchemy import Table, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db.tables import DeclarationRow, PartsReceiptRow, RepairRequestRow
from services.intake.domain.declarations import Declaration, InspectionResult
from services.intake.domain.documents import GatePassType
from services.intake.domain.inspection import Method, Selection
from services.intake.domain.owners import CreditTier
from services.intake.domain.parts import PartsReceipt
from services.intake.domain.units import Origin
from services.kit.errors import Conflict
from shared.messaging.sql import rowcount

PLAIN = ("id", "bonded_inventory_list_no", "supervision_mode", "gate_pass_no", "entry_record_list_no",
         "export_declaration_no", "inspection_notes", "declared_at", "version", "selected_by")


class DeclarationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, declaration_id: str, unit_ids: list[str]) -> Declaration | None:
        row = await self.session.get(DeclarationRow, declaration_id)
        return _to_domain(row, unit_ids) if row else None

    async def add(self, d: Declaration, actor: str) -> None:
        try:
            async with self.session.begin_nested():
                self.session.add(DeclarationRow(**_to_row(d), created_by=actor))
                await self.session.flush()
        except IntegrityError:
            raise Conflict(f"bonded inventory list {d.bonded_inventory_list_no} is already declared",
                           field="bonded_inventory_list_no") from None

    async def save(self, d: Declaration) -> None:
        result = await self.session.execute(update(DeclarationRow).where(
            DeclarationRow.id == d.id, DeclarationRow.version == d.version).values(
            **(_to_row(d) | {"version": d.version + 1})))
        if rowcount(result) != 1:
            raise Conflict(f"declaration {d.id} was changed by someone else; reload and retry")
        d.version += 1


class RecordsRepository:
    """Append-only records: repair requests and parts receipts."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_request(self, **values: object) -> None:
        await self.session.execute(insert(cast(Table, RepairRequestRow.__table__)), [values])  # Core: no ORM flush

    async def get_request(self, request_id: str) -> RepairRequestRow | None:
        return await self.session.get(RepairRequestRow, request_id)

    def add_parts(self, p: PartsReceipt, actor: str) -> None:
        self.session.add(PartsReceiptRow(**{k: v for k, v in vars(p).items() if k != "origin"},
                                         origin=p.origin.value, created_by=actor))


def _to_row(d: Declaration) -> dict:
    s = d.selection
    assert s is not None
    return {k: getattr(d, k) for k in PLAIN} | {
        "gate_pass_type": d.gate_pass_type.value, "origin": d.origin.value, "selected": s.selected,
        "selection_rate": s.rate, "selection_draw": s.draw, "credit_tier": s.tier.value,
        "methods": [m.value for m in s.methods],
        "inspection_result": d.inspection_result.value if d.inspection_result else None,
        "inspection_method": d.inspection_method.value if d.inspection_method else None, "seals": list(d.seals)}


def _to_domain(r: DeclarationRow, unit_ids: list[str]) -> Declaration:
    sel = Selection(r.selected, r.selection_rate, r.selection_draw, CreditTier(r.credit_tier),
                    tuple(Method(m) for m in r.methods))
    return Declaration(**{k: getattr(r, k) for k in PLAIN}, gate_pass_type=GatePassType(r.gate_pass_type),
                       origin=Origin(r.origin), unit_ids=unit_ids, selection=sel,
                       inspection_result=InspectionResult(r.inspection_result) if r.inspection_result else None,
                       inspection_method=Method(r.inspection_method) if r.inspection_method else None,
                       seals=tuple(r.seals))
