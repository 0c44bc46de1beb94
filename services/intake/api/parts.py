"""Bonded spare parts receipts."""
from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field, StringConstraints

from services.intake.api.deps import Clerk, Formats, UoW
from services.intake.domain.parts import PartsReceipt
from services.intake.domain.units import Origin
from services.intake.service import parts
from shared.clock import utc_now

router = APIRouter(prefix="/v1/parts-receipts", tags=["parts"])


DocKey = Annotated[str, StringConstraints(min_length=1, max_length=50)]
DocNumber = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class PartsReceiptIn(BaseModel):
    part_number: str = Field(min_length=1, max_length=100)
    lot: str = Field(min_length=1, max_length=100)
    quantity: int = Field(ge=1, le=1_000_000)
    unit_value: Decimal = Field(max_digits=16, decimal_places=2)
    currency: str = Field(max_length=3, description="ISO 4217, a real currency")
    hs_code: str = Field(max_length=20)
    origin: Origin
    bonded: bool = True
    documents: dict[DocKey, DocNumber] = Field(
        default_factory=dict, max_length=20,
        description="bonded_inventory_list (required when bonded: an entry list, QD + district(4) + year(2) + I + "
                    "seq(9)), gate_pass (required when bonded; its configured format), others kept as given")


class PartsReceiptOut(BaseModel):
    id: str
    part_number: str
    lot: str
    quantity: int
    unit_value: Decimal
    currency: str = Field(description="ISO 4217")
    hs_code: str
    origin: Origin
    received_at: datetime
    bonded: bool
    documents: dict[str, str] = Field(description="customs document numbers by kind, as received")


@router.post("", status_code=201, response_model=PartsReceiptOut,
             summary="Receive spare parts into bonded (or duty-paid) stock")
async def receive(body: PartsReceiptIn, uow: UoW, who: Clerk, formats: Formats) -> PartsReceiptOut:
    receipt = PartsReceipt(id=str(uuid.uuid4()), received_at=utc_now(), **body.model_dump())
    return PartsReceiptOut(**asdict(await parts.receive(uow, receipt, formats, who.actor)))
