"""Customs entry of a shipment, inspection selection and the inspection result."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from services.intake.domain import inspection
from services.intake.domain.declarations import Declaration
from services.intake.domain.documents import DocumentFormats, GatePassType
from services.intake.domain.owners import CreditTier
from services.intake.domain.units import Unit
from services.intake.service import outgoing
from services.intake.service.uow import IntakeUnitOfWork
from services.kit.errors import Conflict, NotFound, RuleViolation
from shared.clock import utc_now


@dataclass(frozen=True)
class Declare:
    unit_ids: list[str]
    bonded_inventory_list_no: str
    supervision_mode: str
    gate_pass_no: str
    gate_pass_type: GatePassType
    entry_record_list_no: str | None = None
    export_declaration_no: str | None = None


@dataclass(frozen=True)
class Typed:
    """A customs platform is connected, so numbers come from its receipts (POST /v1/customs/entry-filings): typing
    them is a manual override with a reason, and the inspection is what customs instructed, not bondline's draw."""
    reason: str | None
    inspection: inspection.Method | None = None


async def declare(uow: IntakeUnitOfWork, cmd: Declare, rates: dict[CreditTier, float],
                  formats: DocumentFormats, actor: str, typed: Typed | None = None) -> tuple[Declaration, list[Unit]]:
    async with uow:
        uow.actor = actor
        units = [await _unit(uow, uid) for uid in dict.fromkeys(cmd.unit_ids)]
        if not units:
            raise RuleViolation("a declaration needs at least one unit", field="unit_ids")
        if len({(u.owner_id, u.origin) for u in units}) != 1:
            raise RuleViolation("one declaration covers units of one owner and one origin", field="unit_ids")
        owner = await uow.owners.get(units[0].owner_id)
        assert owner is not None
        now = utc_now()
        d = Declaration(id=str(uuid.uuid4()), origin=units[0].origin, declared_at=now,
                        **(vars(cmd) | {"unit_ids": [u.id for u in units]}))
        d.check(formats)
        if typed is None:
            d.selection = inspection.select(d.bonded_inventory_list_no, owner.credit_tier, rates)
        else:
            _override(typed, units)
            d.selection = inspection.instructed(d.bonded_inventory_list_no, owner.credit_tier, rates, typed.inspection)
            d.selected_by = "customs"
        await uow.declarations.add(d, actor)
        for u in units:
            if typed is not None:
                u.note("numbers_typed", now, actor, f"manual override: {typed.reason}", d.documents())
            u.declare(d.id, d.documents(), d.selection.selected, now, actor)
            await uow.units.save(u, actor)
            uow.publish(*outgoing.declared(u, d))
        await uow.commit()
        return d, units


async def inspect(uow: IntakeUnitOfWork, declaration_id: str, method: inspection.Method, passed: bool,
                  seals: list[str], notes: str, actor: str) -> tuple[Declaration, list[Unit]]:
    async with uow:
        uow.actor = actor
        units = await uow.units.in_declaration(declaration_id)
        d = await uow.declarations.get(declaration_id, [u.id for u in units])
        if d is None:
            raise NotFound(f"declaration {declaration_id} not found")
        if not passed and not notes.strip():
            raise RuleViolation("a failed inspection needs notes saying what failed", field="notes")
        d.record_inspection(method, passed, seals, notes)
        await uow.declarations.save(d)
        now = utc_now()
        for u in units:
            u.inspected(passed, now, actor, notes)
            await uow.units.save(u, actor)
            uow.publish(outgoing.inspected(u, d, now))
            if not passed:
                uow.publish(outgoing.rejected(u, now))
        await uow.commit()
        return d, units


async def get(uow: IntakeUnitOfWork, declaration_id: str) -> tuple[Declaration, list[Unit]]:
    async with uow:
        units = await uow.units.in_declaration(declaration_id)
        d = await uow.declarations.get(declaration_id, [u.id for u in units])
        if d is None:
            raise NotFound(f"declaration {declaration_id} not found")
        return d, units


def _override(typed: Typed, units: list[Unit]) -> None:
    if not (typed.reason or "").strip():
        raise RuleViolation("customs numbers come from customs' receipts (file the entry: POST "
                            "/v1/customs/entry-filings); typing them in is a manual override that needs "
                            "override_reason", field="override_reason")
    on_filing = [u.id for u in units if u.declaration_id]
    if on_filing:
        raise Conflict(f"units {on_filing} are on an entry filing with customs: their numbers come from its receipts",
                       field="unit_ids")


async def _unit(uow: IntakeUnitOfWork, unit_id: str) -> Unit:
    unit = await uow.units.get(unit_id)
    if unit is None:
        raise NotFound(f"unit {unit_id} not found", field="unit_ids")
    return unit
