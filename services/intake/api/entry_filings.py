"""Entry filings to the customs platform (核注清单 direction I, 核放单, 删改单): file announced units, see every message
and receipt, correct and resend a rejected list, amend a declared one, send the gate pass once customs released it."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from services.intake.api.deps import Book, Clerk, Staff, UoW
from services.intake.domain.entry_filings import EntryFiling
from services.intake.service import entry_filings
from services.intake.service.entry_filings import FileEntry
from services.kit.customs.schemas import AmendIn, Code, CustomsFacts, GatePassIn, MessageOut, ReceiptOut

router = APIRouter(prefix="/v1/customs/entry-filings", tags=["customs"])
UnitId = Annotated[str, Field(min_length=1, max_length=64)]


class FileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit_ids: list[UnitId] = Field(min_length=1, max_length=1000, description="announced units of one owner and "
                                                                               "one origin")
    transport_mode: Code = Field(description="运输方式 (code list transport_modes, e.g. 5 air, 2 sea, 4 road)")


class ResendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    transport_mode: Code | None = None
    unit_ids: list[UnitId] | None = Field(None, min_length=1, max_length=1000,
                                          description="keep only these units on the list (the others are free again)")


class FilingOut(CustomsFacts):
    id: str
    unit_ids: list[str]
    owner_id: str
    origin_country: str
    supervision_mode: str
    transport_mode: str


class FilingDetail(FilingOut):
    messages: list[MessageOut]
    receipts: list[ReceiptOut]


def _out(f: EntryFiling) -> dict[str, Any]:
    return {"id": f.id, "unit_ids": f.unit_ids, "owner_id": f.owner_id, "origin_country": f.origin_country,
            "supervision_mode": f.supervision_mode, "transport_mode": f.transport_mode, **CustomsFacts.of(f)}


async def _detail(uow: Any, filing_id: str) -> FilingDetail:
    f, messages, receipts = await entry_filings.get(uow, filing_id)
    return FilingDetail(**_out(f), messages=[MessageOut.model_validate(m) for m in messages],
                        receipts=[ReceiptOut.model_validate(r) for r in receipts])


@router.post("", status_code=202, summary="File announced units: their entry inventory list goes to customs")
async def file_entry(body: FileIn, uow: UoW, book: Book, who: Clerk) -> FilingDetail:
    f = await entry_filings.file_entry(uow, FileEntry(list(body.unit_ids), body.transport_mode), book, who.actor)
    return await _detail(uow, f.id)


@router.get("", summary="Entry filings, newest first (state=rejected: what waits for a correction)")
async def list_filings(uow: UoW, _who: Staff, state: Annotated[str | None, Query(max_length=24)] = None,
                       limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[FilingOut]:
    return [FilingOut(**_out(f)) for f in await entry_filings.find(uow, state, limit)]


@router.get("/{filing_id}", summary="An entry filing with every message sent and receipt received")
async def get_filing(filing_id: str, uow: UoW, _who: Staff) -> FilingDetail:
    return await _detail(uow, filing_id)


@router.post("/{filing_id}/resend", status_code=202, summary="After a rejection: the corrected list, sent again")
async def resend(filing_id: str, body: ResendIn, uow: UoW, book: Book, who: Clerk) -> FilingDetail:
    await entry_filings.resend(uow, filing_id, book, who.actor, body.transport_mode,
                               list(body.unit_ids) if body.unit_ids is not None else None)
    return await _detail(uow, filing_id)


@router.post("/{filing_id}/amendment", status_code=202, summary="Amend the list customs holds (删改单)")
async def amend(filing_id: str, body: AmendIn, uow: UoW, book: Book, who: Clerk) -> FilingDetail:
    await entry_filings.amend(uow, filing_id, book, body.reason, who.actor, body.transport_mode)
    return await _detail(uow, filing_id)


@router.post("/{filing_id}/gate-pass", status_code=202, summary="Send the gate pass for a released list")
async def gate_pass(filing_id: str, body: GatePassIn, uow: UoW, book: Book, who: Clerk) -> FilingDetail:
    await entry_filings.gate_pass(uow, filing_id, book, body.pass_type, body.vehicle_no, who.actor)
    return await _detail(uow, filing_id)
