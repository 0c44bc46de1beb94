"""Dispatch items and shipments: rows to domain and back; optimistic locking on save.

The JSON columns (parts used, taxes, history) hold plain JSON; they are read into the domain's dataclasses here
and written back in the same shape (amounts as strings, times in ISO 8601), so rows written before read the same.
"""
from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any, get_args

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.db.tables import DispatchItemRow, ShipmentRow
from services.dispatch.domain.destinations import Destination, ItemKind
from services.dispatch.domain.items import (
    Decision,
    DecisionAmended,
    DispatchItem,
    ExitCancelled,
    HistoryEntry,
    ItemState,
    Money,
    NumbersTyped,
    Origin,
    Outcome,
    PartUsed,
)
from services.dispatch.domain.shipments import Shipment, ShipmentState, ShipmentStep
from services.dispatch.domain.taxes import Assessment, Basis, ItemTax, RateLine, TaxLine, ValueLine
from services.kit.errors import Conflict
from shared.messaging.sql import rowcount

Json = dict[str, Any]  # one object of a JSON column, as the driver returns it
CODED = ("kind", "state", "origin", "outcome", "parts_used", "destination", "tax", "history")
PLAIN = tuple(f.name for f in fields(DispatchItem) if f.name not in CODED)
SHIP_PLAIN = ("id", "carrier", "tracking_number", "destination_country", "address", "incoterm", "created_at",
              "version")
KEEP = object()  # save(): leave the item's shipment as it is


class ItemRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, item_id: str) -> DispatchItem | None:
        row = await self.session.get(DispatchItemRow, item_id)
        return _item(row) if row else None

    async def add(self, item: DispatchItem, actor: str) -> None:
        self.session.add(DispatchItemRow(**item_values(item), updated_by=actor))

    async def save(self, item: DispatchItem, actor: str, shipment_id: object = KEEP) -> None:
        values = item_values(item) | {"version": item.version + 1, "updated_by": actor}
        if shipment_id is not KEEP:
            values["shipment_id"] = shipment_id
        result = await self.session.execute(update(DispatchItemRow).where(
            DispatchItemRow.item_id == item.item_id, DispatchItemRow.version == item.version).values(**values))
        if rowcount(result) != 1:
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
        return Shipment(**{f: getattr(row, f) for f in SHIP_PLAIN}, state=ShipmentState(row.state),
                        item_ids=item_ids, history=[_step(s) for s in row.history])

    async def add(self, s: Shipment, actor: str) -> None:
        self.session.add(ShipmentRow(**_ship_row(s), created_by=actor))

    async def save(self, s: Shipment) -> None:
        values = _ship_row(s) | {"version": s.version + 1}
        result = await self.session.execute(update(ShipmentRow).where(
            ShipmentRow.id == s.id, ShipmentRow.version == s.version).values(**values))
        if rowcount(result) != 1:
            raise Conflict(f"shipment {s.id} was changed by someone else; reload and retry")
        s.version += 1

    async def find(self, state: str | None, limit: int, offset: int) -> list[ShipmentRow]:
        q = select(ShipmentRow).order_by(ShipmentRow.created_at.desc()).limit(limit).offset(offset)
        return list(await self.session.scalars(q.where(ShipmentRow.state == state) if state else q))


def item_values(i: DispatchItem) -> dict[str, Any]:
    """The item's column values: enums by value, the JSON columns as JSON."""
    return {f: getattr(i, f) for f in PLAIN} | {
        "kind": i.kind.value, "state": i.state.value, "origin": i.origin, "outcome": i.outcome,
        "parts_used": [_part_json(p) for p in i.parts_used],
        "destination": i.destination.value if i.destination else None, "tax": _tax_json(i.tax),
        "history": [_history_json(h) for h in i.history]}


def _item(r: DispatchItemRow) -> DispatchItem:
    return DispatchItem(
        **{f: getattr(r, f) for f in PLAIN}, kind=ItemKind(r.kind), state=ItemState(r.state),
        origin=_literal(Origin, r.origin), outcome=_literal(Outcome, r.outcome),
        parts_used=[_part(p) for p in r.parts_used or []],
        destination=Destination(r.destination) if r.destination else None, tax=_tax(r.tax or {}),
        history=[_history(h) for h in r.history or []])


def _literal(kind: Any, value: str | None) -> Any:
    """``value`` checked against the Literal ``kind`` (a value the column should never hold is refused)."""
    if value is not None and value not in get_args(kind):
        raise ValueError(f"{value!r} is not one of {get_args(kind)}")
    return value


def _part_json(p: PartUsed) -> Json:
    return {"part_number": p.part_number, "lot": p.lot, "quantity": p.quantity,
            "unit_value": {"amount": str(p.unit_value.amount), "currency": p.unit_value.currency},
            "origin": p.origin, "hs_code": p.hs_code}


def _part(raw: Json) -> PartUsed:
    value = raw["unit_value"]
    return PartUsed(part_number=raw["part_number"], quantity=int(raw["quantity"]),
                    unit_value=Money(Decimal(value["amount"]), value["currency"]),
                    origin=_literal(Origin, raw["origin"]), lot=raw.get("lot"), hs_code=raw.get("hs_code"))


def _tax_json(t: ItemTax) -> Json:
    return ({"estimate": assessment_json(t.estimate)} if t.estimate else {}) | (
        {"final": assessment_json(t.final)} if t.final else {})


def _tax(raw: Json) -> ItemTax:
    estimate, final = raw.get("estimate"), raw.get("final")
    return ItemTax(_assessment(estimate) if estimate else None, _assessment(final) if final else None)


def assessment_json(a: Assessment) -> Json:
    return {"basis": a.basis, "assessed_on": a.on.isoformat(), "lines": [_line_json(x) for x in a.lines],
            "taxable_value_cny": str(a.taxable_value), "duty_rate": str(a.duty_rate), "duty_cny": str(a.duty),
            "vat_rate": str(a.vat_rate), "vat_cny": str(a.vat), "total_cny": str(a.total)}


def _assessment(raw: Json) -> Assessment:
    basis: Basis = _literal(Basis, raw["basis"])
    return Assessment(basis, date.fromisoformat(raw["assessed_on"]), [_line(x) for x in raw["lines"]],
                      Decimal(raw["taxable_value_cny"]), Decimal(raw["duty_rate"]), Decimal(raw["duty_cny"]),
                      Decimal(raw["vat_rate"]), Decimal(raw["vat_cny"]))


def _line_json(x: TaxLine) -> Json:
    if isinstance(x, RateLine):
        return {"what": x.what, "rate": str(x.rate)}
    return {"what": x.what, "amount": str(x.amount), "currency": x.currency, "cny_per_unit": str(x.cny_per_unit),
            "rate_date": x.rate_date.isoformat() if x.rate_date else None, "cny": str(x.cny)}


def _line(raw: Json) -> TaxLine:
    if "rate" in raw:
        return RateLine(raw["what"], Decimal(raw["rate"]))
    rate_date = raw.get("rate_date")
    return ValueLine(raw["what"], Decimal(raw["amount"]), raw["currency"], Decimal(raw["cny_per_unit"]),
                     date.fromisoformat(rate_date) if rate_date else None, Decimal(raw["cny"]))


def _history_json(h: HistoryEntry) -> Json:
    head = {"action": h.action, "at": h.at.isoformat(), "actor": h.actor, "reason": h.reason}
    if isinstance(h, DecisionAmended):
        return head | {"before": _decision_json(h.before), "after": _decision_json(h.after)}
    if isinstance(h, NumbersTyped):
        return head | {"documents": dict(h.documents)}
    return head | {"state": h.state.value, "documents": dict(h.documents)}


def _history(raw: Json) -> HistoryEntry:
    at, actor, reason = datetime.fromisoformat(raw["at"]), raw["actor"], raw["reason"]
    if raw["action"] == "decision_amended":
        return DecisionAmended(at=at, actor=actor, reason=reason, before=_decision(raw["before"]),
                               after=_decision(raw["after"]))
    if raw["action"] == "numbers_typed":
        return NumbersTyped(at=at, actor=actor, reason=reason,
                            documents={str(k): str(v) for k, v in raw["documents"].items()})
    if raw["action"] == "exit_cancelled":
        return ExitCancelled(at=at, actor=actor, reason=reason, state=ItemState(raw["state"]),
                             documents={str(k): str(v) for k, v in raw["documents"].items()})
    raise ValueError(f"unknown history action {raw['action']!r}")


def _decision_json(d: Decision) -> Json:
    return {"destination": d.destination.value if d.destination else None, "destination_country": d.destination_country}


def _decision(raw: Json) -> Decision:
    return Decision(Destination(raw["destination"]) if raw.get("destination") else None, raw.get("destination_country"))


def _ship_row(s: Shipment) -> dict[str, Any]:
    return {f: getattr(s, f) for f in SHIP_PLAIN} | {"state": s.state.value,
                                                     "history": [_step_json(h) for h in s.history]}


def _step_json(h: ShipmentStep) -> Json:
    return {"at": h.at.isoformat(), "actor": h.actor, "from": h.from_.value, "to": h.to.value}


def _step(raw: Json) -> ShipmentStep:
    return ShipmentStep(datetime.fromisoformat(raw["at"]), raw["actor"], ShipmentState(raw["from"]),
                        ShipmentState(raw["to"]))

