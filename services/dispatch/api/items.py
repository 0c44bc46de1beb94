"""Dispatch candidates and items: allowed destinations with tax estimates, decide, declare the exit, allocate."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from services.dispatch.api.compliance_schemas import HoldOut
from services.dispatch.api.deps import Desk, Reader, UoW, Vat
from services.dispatch.api.schemas import ItemOptionsOut
from services.dispatch.domain.destinations import Destination, ItemKind
from services.dispatch.domain.exits import ExitDocuments
from services.dispatch.service import amendments, compliance, decisions
from services.kit.errors import MAX_INT, RuleViolation

router = APIRouter(prefix="/v1", tags=["dispatch"])


COUNTRY = Field(None, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 (checked against ISO 3166); needed for "
                                                          "re-export, else it must agree with the destination")
DOC = r"^[A-Za-z0-9]+$"


class DecisionIn(BaseModel):
    destination: Destination
    destination_country: str | None = COUNTRY


class AmendmentIn(DecisionIn):
    reason: str = Field(min_length=1, max_length=500, description="why the decision changes (audited)")


class CancellationIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="why the exit declaration is cancelled (audited)")
    reference: str | None = Field(None, max_length=40, pattern=r"^[A-Za-z0-9-]+$",
                                  description="the customs platform's receipt of the cancellation, if any")


class ExitIn(BaseModel):
    supervision_mode: str = Field(max_length=20, description="1371, 0864/0865 (old parts abroad), 0200/0400 "
                                  "(destruction), 4500/4561 (returns); ignored for gate registration")
    gate_pass_no: str | None = Field(None, max_length=24, pattern=DOC,
                                     description="from the filing's receipt with filing_id; typed: an override")
    gate_pass_type: str = Field(pattern=r"^[1-6]$", description="1..6; 5 for gate registration")
    bonded_inventory_list_no: str | None = Field(None, max_length=24, pattern=DOC,
                                                 description="exit (E) inventory list")
    outbound_record_list_no: str | None = Field(None, max_length=24, pattern=DOC,
                                                description="abroad: outbound record list")
    import_declaration_no: str | None = Field(None, max_length=24, pattern=DOC,
                                              description="domestic: the importer's 18-digit import "
                                              "declaration (1300 for a domestic unit coming home; a taxed import "
                                              "for a foreign unit sold domestically)")


    filing_id: str | None = Field(None, max_length=36, pattern=r"^[0-9a-f-]+$",
                                  description="the exit filing whose receipts give the inventory list and gate pass "
                                              "numbers (POST /v1/customs/exit-filings)")
    override_reason: str | None = Field(None, min_length=1, max_length=500,
                                        description="with a customs platform connected: why the numbers are typed in "
                                                    "(a manual override, audited in the item's history)")


class AllocationIn(BaseModel):
    owner_id: str = Field(min_length=1, max_length=64)
    owner_group: str | None = Field(None, max_length=100)


async def _answer(uow: UoW, item_id: str, vat: Vat) -> ItemOptionsOut:
    out = ItemOptionsOut.model_validate(await decisions.view(uow, item_id, vat))
    held = await compliance.holds(uow, "open", item_id, None, 500, 0)
    return out.model_copy(update={"compliance_holds": [HoldOut.of(h) for h in held]})


@router.get("/candidates", summary="Items awaiting dispatch, with allowed destinations and tax estimates")
async def candidates(uow: UoW, _who: Reader, vat: Vat, owner_id: str | None = None, kind: ItemKind | None = None,
                     limit: Annotated[int, Query(ge=1, le=500)] = 50,
                     offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0) -> list[ItemOptionsOut]:
    found = await decisions.candidates(uow, owner_id, kind.value if kind else None, limit, offset, vat)
    return [ItemOptionsOut.model_validate(o) for o in found]


@router.get("/items/{item_id}", summary="An item, its allowed destinations and tax estimate")
async def get(item_id: str, uow: UoW, _who: Reader, vat: Vat) -> ItemOptionsOut:
    return await _answer(uow, item_id, vat)


@router.post("/items/{item_id}/decision", summary="Choose the destination (422 names the rule that forbids it)")
async def decide(item_id: str, body: DecisionIn, uow: UoW, who: Desk, vat: Vat) -> ItemOptionsOut:
    await decisions.decide(uow, item_id, body.destination, body.destination_country, vat, who.actor)
    return await _answer(uow, item_id, vat)


@router.post("/items/{item_id}/exit-declaration", summary="Declare the exit: documents and supervision mode")
async def declare(item_id: str, body: ExitIn, request: Request, uow: UoW, who: Desk, vat: Vat) -> ItemOptionsOut:
    fields = body.model_dump(exclude={"filing_id", "override_reason"})
    if not body.filing_id and not body.gate_pass_no:
        raise RuleViolation("give filing_id (the numbers come from customs' receipts) or the numbers themselves",
                            field="gate_pass_no")
    how = decisions.Numbers(body.filing_id, body.override_reason,
                            from_receipts=bool(request.app.state.runtime.d.settings.customs_platform_url))
    await decisions.declare_exit(uow, item_id, ExitDocuments(**(fields | {"gate_pass_no": body.gate_pass_no or ""})),
                                 vat, who.actor, how)
    return await _answer(uow, item_id, vat)


@router.post("/items/{item_id}/allocation", summary="Allocate an exchange-pool unit to another owner")
async def allocate(item_id: str, body: AllocationIn, uow: UoW, who: Desk, vat: Vat) -> ItemOptionsOut:
    await decisions.allocate(uow, item_id, body.owner_id, body.owner_group, who.actor)
    return await _answer(uow, item_id, vat)


@router.post("/items/{item_id}/decision/amendment",
             summary="Change the destination until the exit is declared (删改单; 409 once declared)")
async def amend(item_id: str, body: AmendmentIn, uow: UoW, who: Desk, vat: Vat) -> ItemOptionsOut:
    await amendments.amend_decision(uow, item_id, body.destination, body.destination_country, body.reason, vat,
                                    who.actor)
    return await _answer(uow, item_id, vat)


@router.post("/items/{item_id}/exit-declaration/cancellation",
             summary="Cancel the exit declaration until the item left (删单; a disposal's ledger line is reversed)")
async def cancel(item_id: str, body: CancellationIn, uow: UoW, who: Desk, vat: Vat) -> ItemOptionsOut:
    await amendments.cancel_exit(uow, item_id, body.reason, body.reference, who.actor)
    return await _answer(uow, item_id, vat)
