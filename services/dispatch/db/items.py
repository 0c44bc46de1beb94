"""Dispatch items and shipments: rows to domain and back; optimistic locking on save."""
from __future__ import annotations

from dataclasses import fields

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.db.tables import DispatchItemRow, ShipmentRow
from services.dispatch.domain.destinations import Destination, ItemKind
from services.dispatch.domain.items import DispatchItem, ItemState
from services.dispatch.domain.shipments import Shipment, ShipmentState
from services.kit.errors import Conflict

ENUMS = {"kind": ItemKind, "state": ItemState, "destination": Destination}
FIELDS = tuple(f.name for f in fields(DispatchItem))
SHIP_FIELDS = tuple(f.name for f in fields(Shipment) if f.name not in ("item_ids", "state"))


class ItemRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, item_id: str) -> DispatchItem | None:
        row = await self.session.get(DispatchItemRow, item_id)
        return _item(row) if row else None

    async def add(self, item: DispatchItem, actor: str) -> None:
        self.session.add(DispatchItemRow(**_item_row(item), updated_by=actor))

    async def save(self, item: DispatchItem, actor: str, shipment_id: str | None = ...) -> None:  # type: ignore[assignment]
        values = _item_row(item) | {"version": item.version + 1, "updated_by": actor}
        if shipment_id is not ...:
            values["shipment_id"] = shipment_id
        result = await self.session.execute(update(DispatchItemRow).where(
            DispatchItemRow.item_id == item.item_id, DispatchItemRow.version == item.version).values(**values))
        if result.rowcount != 1:
            raise Conflict(f"item {item.item_id} was changed by someone else; reload and retry")
        item.version += 1

    async def shipment_of(self, item_id: str) -> str | None:
        return await self.session.scalar(select(DispatchItemRow.shipment_id).where(DispatchItemRow.item_id == item_id))

    async def in_shipment(self, shipment_id: str) -> list[DispatchItem]:
        rows = await self.session.scalars(select(DispatchItemRow).where(DispatchItemRow.shipment_id == shipment_id)
                                          .order_by(DispatchItemRow.item_id))
        return [_item(r) for r in rows]

    async def find(self, states: list[str], owner_id: str | None, kind: str | None, limit: int,
                   offset: int) -> list[DispatchItem]:
        q = select(DispatchItemRow).where(DispatchItemRow.state.in_(states))
        if owner_id:
            q = q.where(DispatchItemRow.owner_id == owner_id)
        if kind:
            q = q.where(DispatchItemRow.kind == kind)
        q = q.order_by(DispatchItemRow.awaiting_since, DispatchItemRow.item_id).limit(limit).offset(offset)
        return [_item(r) for r in await self.session.scalars(q)]


class ShipmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, shipment_id: str, item_ids: list[str]) -> Shipment | None:
        row = await self.session.get(ShipmentRow, shipment_id)
        if row is None:
            return None
        return Shipment(**{f: getattr(row, f) for f in SHIP_FIELDS}, state=ShipmentState(row.state), item_ids=item_ids)

    async def add(self, s: Shipment, actor: str) -> None:
        self.session.add(ShipmentRow(**_ship_row(s), created_by=actor))

    async def save(self, s: Shipment) -> None:
        result = await self.session.execute(update(ShipmentRow).where(
            ShipmentRow.id == s.id, ShipmentRow.version == s.version).values(**(_ship_row(s) | {"version": s.version + 1})))
        if result.rowcount != 1:
            raise Conflict(f"shipment {s.id} was changed by someone else; reload and retry")
        s.version += 1

    async def find(self, state: str | None, limit: int, offset: int) -> list[ShipmentRow]:
        q = select(ShipmentRow).order_by(ShipmentRow.created_at.desc()).limit(limit).offset(offset)
        return list(await self.session.scalars(q.where(ShipmentRow.state == state) if state else q))


def _item_row(i: DispatchItem) -> dict:
    return {f: (getattr(i, f).value if f in ENUMS and getattr(i, f) is not None else getattr(i, f)) for f in FIELDS}


def _item(r: DispatchItemRow) -> DispatchItem:
    values = {f: getattr(r, f) for f in FIELDS}
    for f, enum in ENUMS.items():
        values[f] = enum(values[f]) if values[f] is not None else None
    return DispatchItem(**values)


def _ship_row(s: Shipment) -> dict:
    return {f: getattr(s, f) for f in SHIP_FIELDS} | {"state": s.state.value}
