"""Bonded spare parts receipts."""
from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.intake.api.deps import Clerk, UoW
from services.intake.domain.parts import PartsReceipt
from services.intake.domain.units import Origin
from services.intake.service import parts

router = APIRouter(prefix="/v1/parts-receipts", tags=["parts"])


class PartsReceiptIn(BaseModel):
    part_number: str = Field(min_length=1, max_length=100)
    lot: str = Field(min_length=1, max_length=100)
    quantity: int = Field(ge=1, le=1_000_000)
    unit_value: Decimal = Field(max_digits=16, decimal_places=2)
    currency: str = Field(max_length=3)
    hs_code: str = Field(max_length=20)
    origin: Origin
    bonded: bool = True
    documents: dict[str, str] = Field(default_factory=dict, description="e.g. bonded_inventory_list, gate_pass")


@router.post("", status_code=201, summary="Receive spare parts into bonded (or duty-paid) stock")
async def receive(body: PartsReceiptIn, uow: UoW, who: Clerk) -> dict[str, Any]:
    receipt = PartsReceipt(id=str(uuid.uuid4()), received_at=datetime.now(timezone.utc), **body.model_dump())
    return asdict(await parts.receive(uow, receipt, who.actor))
