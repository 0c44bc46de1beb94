"""Shipments: create, add items, move through planned -> customs cleared -> shipped -> delivered."""
from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.dispatch.api.compliance_schemas import ConsigneeIn, HoldOut
from services.dispatch.api.deps import Desk, Reader, UoW
from services.dispatch.api.schemas import ShipmentOut
from services.dispatch.domain.items import DispatchItem
from services.dispatch.domain.shipments import Shipment, ShipmentState
from services.dispatch.service import compliance, shipments

router = APIRouter(prefix="/v1/shipments", tags=["shipments"])


class ShipmentIn(BaseModel):
    carrier: str = Field(min_length=1, max_length=100)
    tracking_number: str = Field(min_length=1, max_length=100)
    destination_country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2; CN for domestic")
    address: str = Field(min_length=1, max_length=2000)
    incoterm: str = Field(max_length=3, description="Incoterms 2020, e.g. DAP")
    consignee: ConsigneeIn | None = Field(None, description="who receives it; screened against the restricted-party "
                                          "lists (a hit holds the shipment). Name one before it clears customs")


class ItemIn(BaseModel):
    item_id: str = Field(min_length=1, max_length=36)


class TransitionIn(BaseModel):
    to: ShipmentState


async def _out(uow: UoW, s: Shipment, items: list[DispatchItem]) -> ShipmentOut:
    consignee, held = await compliance.shipment_facts(uow, s.id)
    return ShipmentOut.of(s, items).model_copy(update={
        "consignee": ConsigneeIn(**vars(consignee)) if consignee else None,
        "compliance_holds": [HoldOut.of(h) for h in held]})


@router.post("", status_code=201)
async def create(body: ShipmentIn, uow: UoW, who: Desk) -> ShipmentOut:
    consignee = body.consignee.domain() if body.consignee else None
    s = await shipments.create(uow, shipments.new(**body.model_dump(exclude={"consignee"})), who.actor, consignee)
    return await _out(uow, s, [])


@router.put("/{shipment_id}/consignee", summary="Name or change the consignee while planned (screened at once)")
async def consignee(shipment_id: str, body: ConsigneeIn, uow: UoW, who: Desk) -> ShipmentOut:
    return await _out(uow, *await shipments.set_consignee(uow, shipment_id, body.domain(), who.actor))


@router.post("/{shipment_id}/items", summary="Add a declared item (one open shipment per item)")
async def add_item(shipment_id: str, body: ItemIn, uow: UoW, who: Desk) -> ShipmentOut:
    return await _out(uow, *await shipments.add_item(uow, shipment_id, body.item_id, who.actor))


@router.post("/{shipment_id}/transition", summary="Move the shipment to its next state")
async def transition(shipment_id: str, body: TransitionIn, uow: UoW, who: Desk) -> ShipmentOut:
    return await _out(uow, *await shipments.advance(uow, shipment_id, body.to, who.actor))


@router.get("/{shipment_id}")
async def get(shipment_id: str, uow: UoW, _who: Reader) -> ShipmentOut:
    return await _out(uow, *await shipments.get(uow, shipment_id))
