"""Spare parts: stock by part number and lot, availability, expected deliveries; a work order's parts."""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.kit.errors import MAX_INT
from services.repair.api.deps import Reader, Settings, Technician, UoW, Version
from services.repair.api.parts_schemas import (
    AvailabilityOut,
    ConsumptionOut,
    ExpectedOut,
    LineOut,
    PartsRequestOut,
    ReservationOut,
    UsedPartOut,
    WorkOrderPartsOut,
)
from services.repair.api.schemas import Body, WorkOrderOut
from services.repair.domain.stock import MAX_LINE_QUANTITY, PartNeed
from services.repair.service import parts, stock

router = APIRouter(tags=["parts"])
Quantity = Field(ge=1, le=MAX_LINE_QUANTITY)


class NeedIn(Body):
    part_number: str = Field(min_length=1, max_length=100)
    quantity: int = Quantity
    bonded: bool | None = Field(None, description="true: bonded stock only; false: duty-paid only; null: either")


class RequestIn(Body):
    lines: list[NeedIn] = Field(min_length=1, max_length=100)


class ConsumeIn(NeedIn):
    replaces_old_part: bool = Field(True, description="the part replaces one taken out: record the old part")


class ExpectedIn(Body):
    part_number: str = Field(min_length=1, max_length=100)
    quantity: int = Quantity
    expected_by: datetime | None = None
    note: str = Field("", max_length=4000)


class LotOut(BaseModel):
    id: int
    part_number: str
    lot: str
    bonded: bool
    origin: str
    hs_code: str
    unit_value: Decimal
    currency: str
    on_hand: int
    reserved: int
    free: int
    received_at: datetime


def _need(n: NeedIn) -> PartNeed:
    return PartNeed(n.part_number, n.quantity, n.bonded)


@router.get("/v1/parts/stock", response_model=list[LotOut], summary="Stock lots, oldest first")
async def lots(uow: UoW, _who: Reader, part_number: str | None = None, bonded: bool | None = None,
               available_only: bool = False, limit: Annotated[int, Query(ge=1, le=500)] = 100,
               offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0) -> list[LotOut]:
    found = await stock.lots(uow, part_number, bonded, available_only, limit, offset)
    return [LotOut(**asdict(lot), free=lot.free) for lot in found]


@router.get("/v1/parts/{part_number}/availability", response_model=AvailabilityOut,
            summary="available / expected / short for a quantity")
async def availability(part_number: str, uow: UoW, _who: Reader,
                       quantity: Annotated[int, Query(ge=1, le=MAX_LINE_QUANTITY)] = 1,
                       bonded: bool | None = None) -> AvailabilityOut:
    return AvailabilityOut.of(await stock.position(uow, part_number, bonded), quantity)


@router.post("/v1/parts/expected", status_code=201, response_model=ExpectedOut,
             summary="Record a delivery of parts on its way")
async def expect(body: ExpectedIn, uow: UoW, who: Technician) -> ExpectedOut:
    return ExpectedOut.of(await stock.expect(uow, body.part_number, body.quantity, body.expected_by, body.note,
                                             who.actor))


@router.get("/v1/parts/expected", response_model=list[ExpectedOut], summary="Deliveries still expected")
async def expected(uow: UoW, _who: Reader, part_number: str | None = None,
                   open_only: bool = True) -> list[ExpectedOut]:
    return [ExpectedOut.of(e) for e in await stock.expected(uow, part_number, open_only)]


@router.post("/v1/work-orders/{work_order_id}/parts/requests", response_model=PartsRequestOut,
             summary="Request parts: reserved now, or waiting")
async def request(work_order_id: str, body: RequestIn, uow: UoW, who: Technician,
                  version: Version) -> PartsRequestOut:
    wo, lines = await parts.request(uow, work_order_id, [_need(n) for n in body.lines], who.actor, version)
    return PartsRequestOut(work_order=WorkOrderOut.of(wo), lines=[LineOut.of(line) for line in lines])


@router.post("/v1/work-orders/{work_order_id}/parts/consumptions", status_code=201, response_model=ConsumptionOut,
             summary="Use parts in the repair (reserved first, then free stock); records the old part")
async def consume(work_order_id: str, body: ConsumeIn, uow: UoW, who: Technician, settings: Settings,
                  version: Version) -> ConsumptionOut:
    wo, used, old = await parts.consume(uow, work_order_id, _need(body), body.replaces_old_part,
                                        settings.old_part_disposal_days, who.actor, version)
    return ConsumptionOut(work_order=WorkOrderOut.of(wo), used=[UsedPartOut.of(u) for u in used],
                          old_part_id=old.id if old else None)


@router.get("/v1/work-orders/{work_order_id}/parts", response_model=WorkOrderPartsOut,
            summary="A work order's reservations and consumed parts")
async def of_work_order(work_order_id: str, uow: UoW, _who: Reader) -> WorkOrderPartsOut:
    _wo, reservations, used = await parts.of_work_order(uow, work_order_id)
    return WorkOrderPartsOut(reservations=[ReservationOut.of(r) for r in reservations],
                             used=[UsedPartOut.of(u) for u in used])
