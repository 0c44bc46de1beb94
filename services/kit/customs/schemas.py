"""How every declaring service's API shows a filing with customs: its state from the receipts, its messages and receipts
(the rows of the shared store), and the requests that are the same on entry and exit."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from services.kit.customs.lifecycle import Lifecycle
from shared.contract.customs.messages import XML_TEXT


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    message_id: str
    kind: str
    state: str = Field(description="pending (waiting to go out) or sent")
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    document: str = Field(description="the XML as sent (customs-messages-1.0)")


class ReceiptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    receipt_id: str
    message_id: str
    kind: str
    number: str | None
    simulated: bool
    received_at: datetime
    document: str


Code = Annotated[str, Field(pattern=r"^[0-9A-Z]{1,4}$")]


class GatePassIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    vehicle_no: str = Field(min_length=1, max_length=32, pattern=XML_TEXT)
    pass_type: Code = Field("2", description="gate pass type (code list gate_pass_types)")


class AmendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500, pattern=XML_TEXT,
                        description="why the declared list changes (customs reads it)")
    transport_mode: Code | None = None


class HistoryEntry(BaseModel):
    """One step of a filing: a message sent (by a clerk) or a receipt applied (by customs)."""
    at: datetime
    by: str = Field(description="who: the clerk's actor, or customs")
    what: str = Field(description="'<kind> sent' (inventory_list, gate_pass, amendment, cancellation) or the receipt's "
                                  "kind (accepted, rejected, inspection, inspected, released, closed, cancelled)")
    message_id: str | None = None
    number: str | None = Field(None, description="the number customs gave (QD..., HF...)")
    reason: str | None = None
    inspection: str | None = None
    passed: bool | None = None
    simulated: bool | None = Field(None, description="the receipt came from the customs simulator")


class CustomsFacts(BaseModel):
    """Where a filing stands with customs, as its receipts put it."""
    state: str
    inventory_list_no: str | None = Field(description="核注清单编号, from customs' receipt")
    gate_pass_no: str | None = Field(description="核放单编号, from customs' receipt")
    inspection: str | None = Field(description="what customs instructed: on_site or remote_video")
    reason: str | None = Field(description="a rejection's reason, as customs gave it")
    change_waiting: bool = Field(description="an amendment or cancellation waits for customs' answer")
    history: list[HistoryEntry]

    @staticmethod
    def of(f: Lifecycle) -> dict[str, Any]:
        return {"state": f.state.value, "inventory_list_no": f.list_no, "gate_pass_no": f.pass_no,
                "inspection": f.inspection, "reason": f.reason, "change_waiting": f.change_message_id is not None,
                "history": f.history}
