"""The bonded ledger (DOMAIN.md rules 4 and 6): one line per movement of a unit, part lot, old part or scrap item.

Categories are kept apart (rule 6): units awaiting repair (in repair included), repaired units, unrepairable
units (beyond repair, returned unrepaired, rejected after receipt), parts, old parts, scrap. Movements:
received, transferred_in / transferred_out (between categories, always in pairs), consumed (parts built into a
unit during repair), exported, released (to the domestic area), destroyed.

Identities (every category, every period; opening is 0 for balances since the beginning):

    per category:  opening + received + transferred_in
                     = transferred_out + consumed + exported + released + destroyed + closing
    whole zone:    opening + received = consumed + exported + released + destroyed + closing
                   (transfers cancel out; consumed parts leave the ledger inside the unit that exits)

On hand (opening, closing) counts each item's balance floored at zero: an item cannot be less than absent. So an
identity fails exactly when some item went out without coming in (its shortfall is the difference), and the
inconsistency report names it. Events from other services are always recorded, never refused; only the exits that
dispatch decides itself are refused when they exceed what is on hand.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from services.kit.errors import RuleViolation


class ItemKind(StrEnum):
    unit = "unit"
    part_lot = "part_lot"
    old_part = "old_part"
    scrap = "scrap"


class Category(StrEnum):
    units_awaiting_repair = "units_awaiting_repair"
    repaired_units = "repaired_units"
    unrepairable_units = "unrepairable_units"
    parts = "parts"
    old_parts = "old_parts"
    scrap = "scrap"


class Movement(StrEnum):
    received = "received"
    transferred_in = "transferred_in"
    transferred_out = "transferred_out"
    consumed = "consumed"
    exported = "exported"
    released = "released"
    destroyed = "destroyed"


M, C, K = Movement, Category, ItemKind
INWARD = (M.received, M.transferred_in)
OUTWARD = (M.transferred_out, M.consumed, M.exported, M.released, M.destroyed)
EXITS = (M.exported, M.released, M.destroyed)
EXTERNAL = (M.received, *EXITS)  # movements across the zone's fence: each needs a customs document number
CATEGORIES = {K.unit: (C.units_awaiting_repair, C.repaired_units, C.unrepairable_units), K.part_lot: (C.parts,),
              K.old_part: (C.old_parts,), K.scrap: (C.scrap,)}
AFTER_REPAIR = {"repaired": C.repaired_units, "beyond_repair": C.unrepairable_units,
                "returned_unrepaired": C.unrepairable_units}
CATEGORY_IDENTITY = ("opening + received + transferred_in = transferred_out + consumed + exported + released + "
                     "destroyed + closing")
ZONE_IDENTITY = ("opening + received = consumed + exported + released + destroyed + closing; "
                 "transferred_in = transferred_out")


def _enum(cls: type[StrEnum], value: str, name: str) -> StrEnum:
    try:
        return cls(value)
    except ValueError:
        raise RuleViolation(f"unknown {name} {value!r}; one of {', '.join(cls)}", field=name) from None


@dataclass(frozen=True)
class Line:
    """One ledger line. ``source`` is the event (or use case) that caused it: unique per (source, item, movement)."""
    item_id: str
    item_kind: ItemKind
    category: Category
    movement: Movement
    quantity: int
    at: datetime
    documents: dict[str, str] = field(default_factory=dict)
    owner_id: str | None = None
    source: str | None = None
    note: str = ""
    part_number: str | None = None
    parent_id: str | None = None        # old parts and scrap: their unit; consumed parts: the unit they went into
    origin: str | None = None           # foreign | domestic
    bonded: bool = True                 # false: duty-paid or domestic parts, listed for traceability, not balanced
    deadline: datetime | None = None    # old parts and scrap: disposal deadline
    value: Decimal | None = None        # the value moved (a received unit: its declared value; see account_book)
    currency: str | None = None
    book_no: str | None = None          # the account book item moved (None: not in the book)
    book_item_no: int | None = None
    legal_quantity: Decimal | None = None   # in the item's first legal unit
    second_quantity: Decimal | None = None  # in its second legal unit, if the HS code has one
    serial_number: str | None = None    # a unit's serial (what a stocktake counts it by)
    id: int | None = None

    def __post_init__(self) -> None:
        for name, cls in (("item_kind", ItemKind), ("category", Category), ("movement", Movement)):
            object.__setattr__(self, name, _enum(cls, getattr(self, name), name))
        if not self.item_id:
            raise RuleViolation("a ledger line needs an item id", field="item_id")
        if self.quantity < 1 or (self.item_kind is K.unit and self.quantity != 1):
            raise RuleViolation(f"quantity {self.quantity} is not valid for a {self.item_kind.value}", field="quantity")
        if self.category not in CATEGORIES[self.item_kind]:
            raise RuleViolation(f"a {self.item_kind.value} is never in category {self.category.value}; allowed: "
                                f"{', '.join(CATEGORIES[self.item_kind])}", field="category")
        if self.at.tzinfo is None:
            raise RuleViolation("movement time must be timezone-aware", field="at")

    @property
    def delta(self) -> int:
        return self.quantity if self.movement in INWARD else -self.quantity


def part_lot_id(part_number: str, lot: str | None, bonded: bool = True) -> str:
    """Ledger item id of a lot of parts; duty-paid lots are distinct items from bonded ones of the same lot."""
    return f"{part_number}@{lot or '?'}" + ("" if bonded else "#duty-paid")


def exit_movement(destination: str, abroad: bool) -> Movement | None:
    """The exit movement of a dispatch destination; None for the exchange pool (the item stays bonded)."""
    if destination == "exchange_pool":
        return None
    if destination == "destruction":
        return M.destroyed
    if destination == "re_export" or (destination == "return_to_owner" and abroad):
        return M.exported
    return M.released  # domestic release, domestic return to owner, gate registration


def check_decided(line: Line, held: dict[Category, int]) -> None:
    """Dispatch's own movements: documented, never a lone transfer, and no exit beyond what is on hand."""
    on_hand = held.get(line.category, 0)
    if line.movement in (M.transferred_in, M.transferred_out):
        raise RuleViolation("transfers are recorded in pairs (record_transfer), not one line at a time",
                            field="movement")
    if line.movement in EXTERNAL and not any(v for v in line.documents.values()):
        raise RuleViolation(f"a {line.movement.value} movement needs a customs document number (rule 4)",
                            field="documents")
    if line.movement in OUTWARD and line.quantity > on_hand:
        where = ", ".join(f"{c.value}={q}" for c, q in held.items() if q) or "nothing anywhere"
        raise RuleViolation(f"cannot record {line.movement.value} of {line.quantity} x {line.item_id} from "
                            f"{line.category.value}: {on_hand} on hand there (on hand: {where})", field="quantity",
                            on_hand={c.value: q for c, q in held.items()})


def fifo(quantity: int, lots: list[tuple[str, int]], unknown: str) -> list[tuple[str, int]]:
    """Split ``quantity`` over lots (oldest first, as (item_id, on hand)); what no lot covers goes to ``unknown``."""
    out, left = [], quantity
    for item_id, held in lots:
        take = min(left, held)
        if take > 0:
            out.append((item_id, take))
            left -= take
    return out + ([(unknown, left)] if left > 0 else [])


def days_between(start: datetime, end: datetime) -> int:
    return (end - start) // timedelta(days=1)


# ---- reports: positions, balances and reconciliation, flags, inconsistencies --------------------------------------

@dataclass
class Position:
    """One item in one category over a span of time: its movement totals and the facts its lines carry."""
    item_id: str
    item_kind: ItemKind
    category: Category
    moved: dict[Movement, int] = field(default_factory=dict)
    first_received_at: datetime | None = None
    exited_at: datetime | None = None   # first exit (exported, released, destroyed)
    owner_id: str | None = None
    parent_id: str | None = None
    origin: str | None = None
    deadline: datetime | None = None

    @property
    def balance(self) -> int:
        return sum(q if m in INWARD else -q for m, q in self.moved.items())


def positions(lines: list[Line]) -> list[Position]:
    """Aggregate bonded lines per (item, category); the repository computes the same in SQL."""
    out: dict[tuple[str, Category], Position] = {}
    for ln in (ln for ln in lines if ln.bonded):
        p = out.setdefault((ln.item_id, ln.category), Position(ln.item_id, ln.item_kind, ln.category))
        p.moved[ln.movement] = p.moved.get(ln.movement, 0) + ln.quantity
        if ln.movement is M.received:
            p.first_received_at = min_opt(p.first_received_at, ln.at)
        if ln.movement in EXITS:
            p.exited_at = min_opt(p.exited_at, ln.at)
        p.owner_id, p.parent_id = max_opt(p.owner_id, ln.owner_id), max_opt(p.parent_id, ln.parent_id)
        p.origin, p.deadline = max_opt(p.origin, ln.origin), max_opt(p.deadline, ln.deadline)
    return list(out.values())


def dips(lines: list[Line]) -> list[tuple[Line, int]]:
    """Per bonded (item, category), the first line in time order (entries first at equal times) after which the
    running balance is below zero; the repository computes the same with a window function."""
    key = lambda ln: (ln.at, ln.movement not in INWARD, ln.id or 0)  # noqa: E731
    running: dict[tuple[str, Category], int] = {}
    first: dict[tuple[str, Category], tuple[Line, int]] = {}
    for ln in sorted((ln for ln in lines if ln.bonded), key=key):
        k = (ln.item_id, ln.category)
        running[k] = running.get(k, 0) + ln.delta
        if running[k] < 0 and k not in first:
            first[k] = (ln, running[k])
    return sorted(first.values(), key=lambda d: key(d[0]))


def max_opt(a, b):  # type: ignore[no-untyped-def]
    """max() ignoring None, like SQL's MAX."""
    return b if a is None else a if b is None else max(a, b)


def min_opt(a, b):  # type: ignore[no-untyped-def]
    return b if a is None else a if b is None else min(a, b)


@dataclass
class Balance:
    category: str
    opening: int = 0
    moved: dict[Movement, int] = field(default_factory=lambda: {m: 0 for m in Movement})
    closing: int = 0

    @property
    def expected_closing(self) -> int:
        return self.opening + sum(self.moved[m] for m in INWARD) - sum(self.moved[m] for m in OUTWARD)

    @property
    def difference(self) -> int:
        """Closing on hand minus what the movements explain: positive by what went out without coming in."""
        return self.closing - self.expected_closing

    @property
    def holds(self) -> bool:
        return self.difference == 0

    def add(self, other: Balance) -> None:
        self.opening, self.closing = self.opening + other.opening, self.closing + other.closing
        for m in Movement:
            self.moved[m] += other.moved[m]


@dataclass
class Report:
    categories: list[Balance]
    zone: Balance
    one_owner: bool = False
    """One owner's lines only: an allocation moves goods from one owner to another (out for one, in for the
    other), so that owner's transfers need not cancel out; every other identity holds as for the zone."""

    @property
    def zone_holds(self) -> bool:
        cancel = self.one_owner or self.zone.moved[M.transferred_in] == self.zone.moved[M.transferred_out]
        return self.zone.holds and cancel


def reconcile(before: list[Position], period: list[Position], one_owner: bool = False) -> Report:
    """Opening from what happened before the period, movements within it, closing from both (items floored at 0)."""
    opening = {(p.item_id, p.category): p.balance for p in before}
    by_cat = {c: Balance(c.value) for c in Category}
    for (_item, cat), b0 in opening.items():
        by_cat[cat].opening += max(b0, 0)
    closing = dict(opening)
    for p in period:
        closing[(p.item_id, p.category)] = closing.get((p.item_id, p.category), 0) + p.balance
        for m, q in p.moved.items():
            by_cat[p.category].moved[m] += q
    for (_item, cat), b1 in closing.items():
        by_cat[cat].closing += max(b1, 0)
    zone = Balance("zone")
    for b in by_cat.values():
        zone.add(b)
    return Report(list(by_cat.values()), zone, one_owner)
