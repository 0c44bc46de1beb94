"""The bonded ledger's response bodies (every field named and typed in the OpenAPI)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from services.dispatch.domain.ledger import Balance, Category, ItemKind, Movement, Report
from services.dispatch.domain.ledger_checks import Status


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class LineOut(Out):
    id: int | None
    item_id: str
    item_kind: ItemKind
    category: Category
    movement: Movement
    quantity: int
    at: datetime
    documents: dict[str, str] = Field(description="document kind -> number (inventory list, gate pass, ...)")
    owner_id: str | None
    source: str | None
    note: str
    part_number: str | None
    parent_id: str | None
    origin: str | None
    bonded: bool
    deadline: datetime | None
    book_item_no: int | None = Field(description="the account-book item (备案序号) moved; null: not in the book")
    legal_quantity: Decimal | None = Field(description="the quantity in the item's first legal unit")
    second_quantity: Decimal | None
    value: Decimal | None = Field(description="the value moved, in currency")
    currency: str | None


class ItemLedger(Out):
    item_id: str
    item_kind: ItemKind
    on_hand: dict[Category, int]
    lines: list[LineOut]


class Moved(Out):
    """Each movement's total."""
    received: int = 0
    transferred_in: int = 0
    transferred_out: int = 0
    consumed: int = 0
    exported: int = 0
    released: int = 0
    destroyed: int = 0


class Row(Moved):
    category: str = Field(description="a category, or zone for the whole zone")
    difference: int = Field(description="on hand minus what the movements explain (0 when the identity holds)")
    identity_holds: bool


class BalanceRow(Row):
    on_hand: int


class ReconciliationRow(Row):
    opening: int
    closing: int


class Balances(Out):
    as_of: datetime
    identity: str
    holds: bool
    categories: list[BalanceRow]
    zone: BalanceRow


class Reconciliation(Out):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)
    from_: datetime = Field(alias="from")
    to: datetime
    identity: str
    holds: bool
    categories: list[ReconciliationRow]
    zone: ReconciliationRow


class PolicyOut(Out):
    cycle_days: int
    warning_days: int
    disposal_warning_days: int


class FlagOut(Out):
    reason: str = Field(description="ledger_cycle | disposal_deadline")
    item_id: str
    item_kind: ItemKind
    category: Category
    on_hand: int
    owner_id: str | None
    since: datetime | None
    due: datetime
    days_left: int
    status: Status


class Flags(Out):
    as_of: datetime
    policy: PolicyOut
    flags: list[FlagOut]


class InconsistencyOut(Out):
    code: str
    item_id: str
    detail: str
    category: Category | None
    at: datetime | None
    line_id: int | None


class Inconsistencies(Out):
    as_of: datetime
    count: int
    inconsistencies: list[InconsistencyOut]


def row(b: Balance, holds: bool | None = None) -> dict[str, object]:
    return {"category": b.category, "opening": b.opening, **{m.value: q for m, q in b.moved.items()},
            "closing": b.closing, "on_hand": b.closing, "difference": b.difference,
            "identity_holds": b.holds if holds is None else holds}


def report_parts(r: Report) -> dict[str, object]:
    return {"holds": r.zone_holds and all(b.holds for b in r.categories),
            "categories": [row(b) for b in r.categories], "zone": row(r.zone, r.zone_holds)}
