"""Exit filings to the customs platform (核注清单, 核放单, 删改单): file items leaving, see every message and receipt,
correct and resend a rejected list, send the gate pass once customs released the list, amend or cancel; and the
account book as the other declaring services read it (intake's entry lists: ``/v1/customs/account-book``)."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from services.dispatch.api.account_book import BookOut, BookWithItems, ItemOut
from services.dispatch.api.deps import UoW
from services.dispatch.domain.filings import Filing
from services.dispatch.service import account_book, filings
from services.dispatch.service.filings import FileExit
from services.kit.auth import Principal, Role, require
from services.kit.customs.schemas import AmendIn, Code, CustomsFacts, GatePassIn, MessageOut, ReceiptOut
from shared.contract.customs.messages import XML_TEXT

router = APIRouter(tags=["customs filings"])
EXITS = "/v1/customs/exit-filings"
Desk = Annotated[Principal, Depends(require(Role.dispatcher, Role.admin))]
Declarant = Annotated[Principal, Depends(require(Role.service, Role.dispatcher, Role.customs_officer, Role.admin))]
Reader = Annotated[Principal, Depends(require(Role.dispatcher, Role.customs_officer, Role.admin))]


class FileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(min_length=1, max_length=1000)
    transport_mode: Code = Field(description="运输方式 (code list transport_modes, e.g. 5 air, 2 sea, 4 road)")
    supervision_mode: str | None = Field(None, pattern=r"^\d{4}$", description="only where more than one fits")


class ResendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    transport_mode: Code | None = None


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500, pattern=XML_TEXT)


class FilingOut(CustomsFacts):
    id: str
    item_ids: list[str]
    supervision_mode: str
    transport_mode: str
    destination_country: str


class FilingDetail(FilingOut):
    messages: list[MessageOut]
    receipts: list[ReceiptOut]


def _out(f: Filing) -> dict[str, Any]:
    return {"id": f.id, "item_ids": f.item_ids, "supervision_mode": f.supervision_mode,
            "transport_mode": f.transport_mode, "destination_country": f.destination_country, **CustomsFacts.of(f)}


async def _detail(uow: Any, filing_id: str) -> FilingDetail:
    f, messages, receipts = await filings.get(uow, filing_id)
    return FilingDetail(**_out(f), messages=[MessageOut.model_validate(m) for m in messages],
                        receipts=[ReceiptOut.model_validate(r) for r in receipts])


@router.post(EXITS, status_code=202, summary="File items leaving: their exit inventory list goes to customs")
async def file_exit(body: FileIn, uow: UoW, who: Desk) -> FilingDetail:
    f = await filings.file_exit(uow, FileExit(list(body.item_ids), body.transport_mode, body.supervision_mode),
                                who.actor)
    return await _detail(uow, f.id)


@router.get(EXITS, summary="Filings, newest first (state=rejected: what waits for a correction)")
async def list_filings(uow: UoW, _who: Reader, state: Annotated[str | None, Query(max_length=24)] = None,
                       limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[FilingOut]:
    return [FilingOut(**_out(f)) for f in await filings.find(uow, state, limit)]


@router.get(EXITS + "/{filing_id}", summary="A filing with every message sent and receipt received")
async def get_filing(filing_id: str, uow: UoW, _who: Reader) -> FilingDetail:
    return await _detail(uow, filing_id)


@router.post(EXITS + "/{filing_id}/resend", status_code=202,
             summary="After a rejection: the corrected list, sent again")
async def resend(filing_id: str, body: ResendIn, uow: UoW, who: Desk) -> FilingDetail:
    await filings.resend(uow, filing_id, who.actor, body.transport_mode)
    return await _detail(uow, filing_id)


@router.post(EXITS + "/{filing_id}/gate-pass", status_code=202, summary="Send the gate pass for a released list")
async def gate_pass(filing_id: str, body: GatePassIn, uow: UoW, who: Desk) -> FilingDetail:
    await filings.gate_pass(uow, filing_id, body.pass_type, body.vehicle_no, who.actor)
    return await _detail(uow, filing_id)


@router.post(EXITS + "/{filing_id}/cancellation", status_code=202, summary="Cancel the list at customs (删单)")
async def cancel(filing_id: str, body: CancelIn, uow: UoW, who: Desk) -> FilingDetail:
    await filings.cancel(uow, filing_id, body.reason, who.actor)
    return await _detail(uow, filing_id)


@router.post(EXITS + "/{filing_id}/amendment", status_code=202,
            summary="Amend the list customs holds (删改单): built again from the items and the book as they are now")
async def amend(filing_id: str, body: AmendIn, uow: UoW, who: Desk) -> FilingDetail:
    await filings.amend(uow, filing_id, body.reason, who.actor, body.transport_mode)
    return await _detail(uow, filing_id)


@router.get("/v1/customs/account-book",
            summary="The account book's header and items, as a declaring service builds its lists from them")
async def account_book_for_declarations(uow: UoW, _who: Declarant) -> BookWithItems:
    b, items = await account_book.book_and_items(uow)
    return BookWithItems(book=BookOut.model_validate(b), items=[ItemOut.model_validate(i) for i in items])

