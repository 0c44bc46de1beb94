"""The desk's shipments board and its batch actions: declare several items' exits at once, add several items to a
shipment (a planned one, or a new one), each item through dispatch's own use cases (service/decisions.py,
service/shipments.py, service/desk_unit.py) in a transaction of its own, so one item's refusal leaves the others
done and nothing of the refused item written; the outcome is said per item.

The board: items waiting to be declared (``decided``), declared items not yet in a shipment, and the shipments by
state (planned, customs cleared, shipped, delivered), newest first, with their items.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal

from services.dispatch.domain.exits import ExitDocuments
from services.dispatch.domain.items import DispatchItem, ItemState
from services.dispatch.domain.shipments import Shipment, ShipmentState
from services.dispatch.service import decisions, desk_unit, shipments
from services.dispatch.service.uow import DispatchUnitOfWork as UoW
from services.kit.errors import DomainError, RuleViolation

MAX_BATCH = 200
LANE = 50
UowFactory = Callable[[], UoW]


@dataclass(frozen=True)
class Outcome:
    """What became of one item of a batch: done, or refused with the service's error."""
    item_id: str
    error: DomainError | None = None

    @property
    def done(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class ShipmentCard:
    shipment: Shipment
    items: list[DispatchItem]


@dataclass(frozen=True)
class Board:
    to_declare: list[DispatchItem] = field(default_factory=list)
    to_ship: list[DispatchItem] = field(default_factory=list)       # declared, in no shipment yet
    shipments: dict[ShipmentState, list[ShipmentCard]] = field(default_factory=dict)


def _ids(item_ids: list[str]) -> list[str]:
    chosen = list(dict.fromkeys(i.strip() for i in item_ids if i.strip()))
    if not chosen:
        raise RuleViolation("choose at least one item", field="item_ids")
    if len(chosen) > MAX_BATCH:
        raise RuleViolation(f"at most {MAX_BATCH} items at once, not {len(chosen)}", field="item_ids")
    return chosen


async def _each(item_ids: list[str], act: Callable[[str], Awaitable[object]]) -> list[Outcome]:
    out = []
    for item_id in _ids(item_ids):
        try:
            await act(item_id)
        except DomainError as exc:
            out.append(Outcome(item_id, exc))
        else:
            out.append(Outcome(item_id))
    return out


async def declare_many(uow: UowFactory, item_ids: list[str], doc: ExitDocuments, vat_rate: Decimal, actor: str,
                       how: decisions.Numbers) -> list[Outcome]:
    """Each item's exit declared with the same documents (a filing's numbers, or typed ones under an override)."""
    return await _each(item_ids, lambda i: decisions.declare_exit(uow(), i, doc, vat_rate, actor, how))


async def add_many(uow: UowFactory, item_ids: list[str], target: str | Shipment,
                   actor: str) -> tuple[str | None, list[Outcome]]:
    """Each item into shipment ``target``; a new shipment is created with the first item it takes (so a batch
    refused whole leaves no empty shipment). Returns the shipment's id if it exists afterwards."""
    shipment_id = target if isinstance(target, str) else None

    async def add(item_id: str) -> None:
        nonlocal shipment_id
        await desk_unit.add_to_shipment(uow(), item_id, shipment_id or target, actor)
        if shipment_id is None and isinstance(target, Shipment):
            shipment_id = target.id
    outcomes = await _each(item_ids, add)
    return shipment_id, outcomes


async def board(uow: UoW, shipped_lane: int = LANE) -> Board:
    async with uow:
        decided = await uow.items.find([ItemState.decided.value], None, None, LANE, 0)
        declared = [i for i in await uow.items.find([ItemState.declared.value], None, None, LANE * 4, 0)
                    if await uow.items.shipment_of(i.item_id) is None][:LANE]
        lanes: dict[ShipmentState, list[ShipmentCard]] = {}
        for state in ShipmentState:
            limit = LANE if state in (ShipmentState.planned, ShipmentState.customs_cleared) else shipped_lane
            cards = []
            for row in await uow.shipments.find(state.value, limit, 0):
                items = await uow.items.in_shipment(row.id)
                s = await uow.shipments.get(row.id, [i.item_id for i in items])
                if s is not None:
                    cards.append(ShipmentCard(s, items))
            lanes[state] = cards
        return Board(decided, declared, lanes)


async def shipment(uow: UoW, shipment_id: str) -> ShipmentCard:
    """A shipment and its items (NotFound if there is none)."""
    s, items = await shipments.get(uow, shipment_id)
    return ShipmentCard(s, items)
