"""Exit filings to the customs platform (核注清单, 核放单, 删单): file items leaving, see every message and receipt,
correct and resend a rejected list, send the gate pass once customs released the list, cancel."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from services.dispatch.api.deps import UoW
from services.dispatch.domain.filings import Filing
from services.dispatch.service import filings
from services.dispatch.service.filings import FileExit
from services.kit.auth import Principal, Role, require

router = APIRouter(prefix="/v1/customs/exit-filings", tags=["customs filings"])
Desk = Annotated[Principal, Depends(require(Role.dispatcher, Role.admin))]
Reader = Annotated[Principal, Depends(require(Role.dispatcher, Role.customs_officer, Role.admin))]
Code = Annotated[str, Field(pattern=r"^[0-9A-Z]{1,4}$")]


class FileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(min_length=1, max_length=1000)
    transport_mode: Code = Field(description="运输方式 (code list transport_modes, e.g. 5 air, 2 sea, 4 road)")
    supervision_mode: str | None = Field(None, pattern=r"^\d{4}$", description="only where more than one fits")


class ResendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    transport_mode: Code | None = None


class GatePassIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    vehicle_no: str = Field(min_length=1, max_length=32)
    pass_type: Code = Field("2", description="gate pass type (code list gate_pass_types)")


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500)


class MessageOut(BaseModel):
    message_id: str
    kind: str
    state: str = Field(description="pending (waiting to go out) or sent")
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    document: str = Field(description="the XML as sent (customs-messages-1.0)")


class ReceiptOut(BaseModel):
    receipt_id: str
    message_id: str
    kind: str
    number: str | None
    simulated: bool
    received_at: datetime
    document: str


class FilingOut(BaseModel):
    id: str
    item_ids: list[str]
    supervision_mode: str
    transport_mode: str
    destination_country: str
    state: str
    inventory_list_no: str | None = Field(description="核注清单编号, from customs' receipt")
    gate_pass_no: str | None = Field(description="核放单编号, from customs' receipt")
    inspection: str | None = Field(description="what customs instructed: on_site or remote_video")
    reason: str | None = Field(description="a rejection's reason, as customs gave it")
    history: list[dict[str, Any]]


class FilingDetail(FilingOut):
    messages: list[MessageOut]
    receipts: list[ReceiptOut]


def _out(f: Filing) -> dict[str, Any]:
    return {"id": f.id, "item_ids": f.item_ids, "supervision_mode": f.supervision_mode,
            "transport_mode": f.transport_mode, "destination_country": f.destination_country,
            "state": f.state.value, "inventory_list_no": f.list_no, "gate_pass_no": f.pass_no,
            "inspection": f.inspection, "reason": f.reason, "history": f.history}


def _message(m: Any) -> MessageOut:
    return MessageOut(message_id=m.message_id, kind=m.kind, state=m.state, attempts=m.attempts,
                      last_error=m.last_error, created_at=m.created_at, sent_at=m.sent_at, document=m.document)


def _receipt(r: Any) -> ReceiptOut:
    return ReceiptOut(receipt_id=r.receipt_id, message_id=r.message_id, kind=r.kind, number=r.number,
                      simulated=r.simulated, received_at=r.received_at, document=r.document)


async def _detail(uow: Any, filing_id: str) -> FilingDetail:
    f, messages, receipts = await filings.get(uow, filing_id)
    return FilingDetail(**_out(f), messages=[_message(m) for m in messages], receipts=[_receipt(r) for r in receipts])


@router.post("", status_code=202, summary="File items leaving: their exit inventory list goes to customs")
async def file_exit(body: FileIn, uow: UoW, who: Desk) -> FilingDetail:
    f = await filings.file_exit(uow, FileExit(list(body.item_ids), body.transport_mode, body.supervision_mode),
                                who.actor)
    return await _detail(uow, f.id)


@router.get("", summary="Filings, newest first (state=rejected: what waits for a correction)")
async def list_filings(uow: UoW, _who: Reader, state: Annotated[str | None, Query(max_length=24)] = None,
                       limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[FilingOut]:
    return [FilingOut(**_out(f)) for f in await filings.find(uow, state, limit)]


@router.get("/{filing_id}", summary="A filing with every message sent and receipt received")
async def get_filing(filing_id: str, uow: UoW, _who: Reader) -> FilingDetail:
    return await _detail(uow, filing_id)


@router.post("/{filing_id}/resend", status_code=202, summary="After a rejection: the corrected list, sent again")
async def resend(filing_id: str, body: ResendIn, uow: UoW, who: Desk) -> FilingDetail:
    await filings.resend(uow, filing_id, who.actor, body.transport_mode)
    return await _detail(uow, filing_id)


@router.post("/{filing_id}/gate-pass", status_code=202, summary="Send the gate pass for a released list")
async def gate_pass(filing_id: str, body: GatePassIn, uow: UoW, who: Desk) -> FilingDetail:
    await filings.gate_pass(uow, filing_id, body.pass_type, body.vehicle_no, who.actor)
    return await _detail(uow, filing_id)


@router.post("/{filing_id}/cancellation", status_code=202, summary="Cancel the list at customs (删单)")
async def cancel(filing_id: str, body: CancelIn, uow: UoW, who: Desk) -> FilingDetail:
    await filings.cancel(uow, filing_id, body.reason, who.actor)
    return await _detail(uow, filing_id)
