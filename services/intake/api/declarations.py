"""Customs entry per shipment and customs inspection."""
from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from services.intake.api.deps import Clerk, Formats, Officer, Rates, Staff, UoW
from services.intake.api.schemas import UnitOut
from services.intake.domain.declarations import Declaration
from services.intake.domain.documents import GatePassType
from services.intake.domain.inspection import Method
from services.intake.domain.owners import CreditTier
from services.intake.domain.units import Unit
from services.intake.service import declarations

router = APIRouter(prefix="/v1/declarations", tags=["customs"])


class DeclarationIn(BaseModel):
    unit_ids: list[str] = Field(min_length=1, max_length=500)
    bonded_inventory_list_no: str = Field(max_length=100,
                                          description="18 characters: QD + district(4) + year(2) + I + seq(9)")
    supervision_mode: str = Field("1371", max_length=10, description="1371 bonded repair")
    entry_record_list_no: str | None = Field(None, max_length=100, description="foreign units only")
    export_declaration_no: str | None = Field(None, max_length=100,
                                              description="domestic units: the owner's 1300 declaration")
    gate_pass_no: str = Field(max_length=100)
    gate_pass_type: GatePassType
    override_reason: str | None = Field(None, min_length=1, max_length=500,
                                        description="with a customs platform connected: why the numbers are typed "
                                                    "in (a manual override, audited in each unit's history)")
    customs_inspection: Method | None = Field(None, description="with a customs platform connected: the inspection "
                                                                "customs instructed (none: not selected)")


class InspectionIn(BaseModel):
    method: Method
    passed: bool
    seals: list[str] = Field(default_factory=list, max_length=50)
    notes: str = Field("", max_length=4000)


class InspectionOut(BaseModel):
    selected: bool = Field(description="selected for customs inspection")
    decided_by: str = Field(description="bondline (drawn by credit tier, no customs platform connected) or customs "
                                        "(as customs instructed)")
    rate: float = Field(description="the credit tier's share of declarations selected")
    draw: float = Field(description="in [0, 1), derived from the declaration number; selected when below rate")
    credit_tier: CreditTier
    methods: list[Method] = Field(description="inspection methods open to the credit tier")
    result: str | None = Field(description="passed or failed; null until inspected")
    method: Method | None
    seals: list[str]
    notes: str

    @classmethod
    def of(cls, d: Declaration) -> InspectionOut:
        s = d.selection
        assert s is not None
        return cls(selected=s.selected, decided_by=d.selected_by, rate=s.rate, draw=s.draw, credit_tier=s.tier,
                   methods=list(s.methods),
                   result=d.inspection_result, method=d.inspection_method, seals=list(d.seals),
                   notes=d.inspection_notes)


class DeclarationOut(BaseModel):
    id: str
    documents: dict[str, str] = Field(description="customs document numbers by kind (bonded_inventory_list, "
                                                  "supervision_mode, gate_pass, gate_pass_type, entry_record_list "
                                                  "or export_declaration)")
    declared_at: datetime
    inspection: InspectionOut
    units: list[UnitOut]

    @classmethod
    def of(cls, d: Declaration, units: list[Unit]) -> DeclarationOut:
        return cls(id=d.id, documents=d.documents(), declared_at=d.declared_at, inspection=InspectionOut.of(d),
                   units=[UnitOut.of(u) for u in units])


@router.post("", status_code=201, response_model=DeclarationOut,
             summary="Declare a shipment's units to customs (selection is computed)")
async def declare(body: DeclarationIn, request: Request, uow: UoW, who: Clerk, rates: Rates,
                  formats: Formats) -> DeclarationOut:
    cmd = declarations.Declare(**body.model_dump(exclude={"override_reason", "customs_inspection"}))
    connected = bool(request.app.state.runtime.d.settings.customs_platform_url)
    typed = declarations.Typed(body.override_reason, body.customs_inspection) if connected else None
    d, units = await declarations.declare(uow, cmd, rates, formats, who.actor, typed)
    return DeclarationOut.of(d, units)


@router.post("/{declaration_id}/inspection", response_model=DeclarationOut,
             summary="Record the customs inspection result")
async def inspect(declaration_id: str, body: InspectionIn, uow: UoW, who: Officer) -> DeclarationOut:
    d, units = await declarations.inspect(uow, declaration_id, body.method, body.passed, body.seals, body.notes,
                                          who.actor)
    return DeclarationOut.of(d, units)


@router.get("/{declaration_id}", response_model=DeclarationOut)
async def get(declaration_id: str, uow: UoW, _who: Staff) -> DeclarationOut:
    return DeclarationOut.of(*await declarations.get(uow, declaration_id))
