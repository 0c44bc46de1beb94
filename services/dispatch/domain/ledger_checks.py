"""What customs asks of the ledger beyond its balances (pure; no I/O): flags for deadlines coming up, and the
inconsistencies that can only come from a fault (each rule one small function, reported in a fixed order).

Flags: items still on hand near the end of their ledger cycle (DOMAIN.md rule 4); old parts and scrap near their
disposal deadline. Inconsistencies, per item: moved but never received, an old part whose unit never came in, a
foreign old part released to the domestic market, a disposal after its deadline, a unit on hand twice (rule 6);
across lines: a balance that went negative, a movement across the fence with no document (rule 4).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from services.dispatch.domain.ledger import OUTWARD, Category, ItemKind, Line, Movement, Position, days_between

M, K = Movement, ItemKind
DISPOSABLE = (K.old_part, K.scrap)


class Status(StrEnum):
    ok = "ok"
    at_risk = "at_risk"
    breached = "breached"


@dataclass(frozen=True)
class FlagPolicy:
    cycle_days: int = 730             # longest stay in the ledger (configurable, DOMAIN.md rule 4)
    warning_days: int = 60            # flag items this many days before their cycle ends
    disposal_warning_days: int = 14   # flag old parts and scrap this many days before their disposal deadline


@dataclass(frozen=True)
class Flag:
    reason: str                       # ledger_cycle | disposal_deadline
    item_id: str
    item_kind: ItemKind
    category: Category
    on_hand: int
    owner_id: str | None
    since: datetime | None
    due: datetime
    days_left: int
    status: Status


@dataclass(frozen=True)
class Inconsistency:
    code: str
    item_id: str
    detail: str
    category: Category | None = None
    at: datetime | None = None
    line_id: int | None = None


def status(now: datetime, due: datetime, warning_days: int) -> Status:
    if now >= due:
        return Status.breached
    return Status.at_risk if now >= due - timedelta(days=warning_days) else Status.ok


def by_item(ps: list[Position]) -> dict[str, list[Position]]:
    out: dict[str, list[Position]] = {}
    for p in ps:
        out.setdefault(p.item_id, []).append(p)
    return out


# ---- flags -------------------------------------------------------------------------------------------------------

def flags(current: list[Position], now: datetime, policy: FlagPolicy, include_ok: bool = False) -> list[Flag]:
    """Items still on hand near the end of their ledger cycle; old parts and scrap near their disposal deadline."""
    out = [f for item_id, ps in by_item(current).items() for f in _item_flags(item_id, ps, now, policy)
           if include_ok or f.status is not Status.ok]
    return sorted(out, key=lambda f: (f.due, f.item_id))


def _item_flags(item_id: str, ps: list[Position], now: datetime, policy: FlagPolicy) -> list[Flag]:
    held = [p for p in ps if p.balance > 0]
    if not held:
        return []
    p, first = held[0], min((x.first_received_at for x in ps if x.first_received_at), default=None)
    due_dates = [("ledger_cycle", first + timedelta(days=policy.cycle_days) if first else None, policy.warning_days),
                 ("disposal_deadline", p.deadline, policy.disposal_warning_days)]
    on_hand = sum(x.balance for x in held)
    return [Flag(reason, item_id, p.item_kind, p.category, on_hand, p.owner_id, first, due, days_between(now, due),
                 status(now, due, warning)) for reason, due, warning in due_dates if due is not None]


# ---- inconsistencies ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ItemView:
    """One item's positions, with what the whole ledger says about it."""
    item_id: str
    kind: ItemKind
    positions: list[Position]
    never_received: bool
    received_units: frozenset[str]


def _never_received(v: ItemView) -> list[Inconsistency]:
    if not v.never_received:
        return []
    outs = {m.value: q for p in v.positions for m, q in p.moved.items() if m in OUTWARD}
    code = "consumed_part_never_received" if v.kind is K.part_lot else "exit_without_entry"
    return [Inconsistency(code, v.item_id, f"{v.kind.value} moved ({outs}) but was never received")]


def _orphan_old_part(v: ItemView) -> list[Inconsistency]:
    parent = next((p.parent_id for p in v.positions if p.parent_id), None)
    if v.kind not in DISPOSABLE or v.never_received or parent in v.received_units:
        return []
    return [Inconsistency("old_part_without_parent", v.item_id, f"its parent unit {parent} was never received")]


def _foreign_released(v: ItemView) -> list[Inconsistency]:
    if v.kind in DISPOSABLE and any(p.origin == "foreign" and p.moved.get(M.released) for p in v.positions):
        return [Inconsistency("foreign_old_part_released", v.item_id,
                              "foreign-origin old parts and scrap may never enter the domestic market")]
    return []


def _late_disposal(v: ItemView) -> list[Inconsistency]:
    late = [p for p in v.positions if p.deadline and p.exited_at and p.exited_at > p.deadline]
    if v.kind not in DISPOSABLE or not late:
        return []
    p = late[0]
    assert p.exited_at is not None and p.deadline is not None
    return [Inconsistency("disposal_deadline_missed", v.item_id, f"left on {p.exited_at.isoformat()}, after its "
                          f"disposal deadline {p.deadline.isoformat()}", p.category, p.exited_at)]


def _unit_custody(v: ItemView) -> list[Inconsistency]:
    held = [p for p in v.positions if p.balance > 0]
    if v.kind is not K.unit or (len(held) <= 1 and sum(p.balance for p in held) <= 1):
        return []
    where = ", ".join(f"{p.category.value}={p.balance}" for p in held)
    return [Inconsistency("unit_custody", v.item_id,
                          f"a unit is on hand in more than one place or more than once: {where} (rule 6)")]


ITEM_RULES: tuple[Callable[[ItemView], list[Inconsistency]], ...] = (
    _never_received, _orphan_old_part, _foreign_released, _late_disposal, _unit_custody)


def _negative(ln: Line, balance: int) -> Inconsistency:
    return Inconsistency("negative_on_hand", ln.item_id, f"{ln.movement.value} of {ln.quantity} took the balance to "
                         f"{balance} (an exit dated before its entry, or more out than in)", ln.category, ln.at, ln.id)


def _undocumented(ln: Line) -> Inconsistency:
    return Inconsistency("undocumented_movement", ln.item_id, f"{ln.movement.value} with no document number (rule 4)",
                         ln.category, ln.at, ln.id)


def _views(current: list[Position]) -> list[ItemView]:
    items = by_item(current)
    never = {i for i, ps in items.items() if not any(p.moved.get(M.received) for p in ps)}  # transfers are no entry
    units = frozenset(i for i, ps in items.items() if ps[0].item_kind is K.unit and i not in never)
    return [ItemView(i, ps[0].item_kind, ps, i in never, units) for i, ps in items.items()]


def inconsistencies(current: list[Position], negatives: list[tuple[Line, int]],
                    undocumented: list[Line]) -> list[Inconsistency]:
    """``negatives``: per (item, category), the first line (by time) after which its balance fell below zero."""
    views = _views(current)
    never = {v.item_id for v in views if v.never_received}
    out = [found for v in views for rule in ITEM_RULES for found in rule(v)]
    out += [_negative(ln, balance) for ln, balance in negatives if ln.item_id not in never]
    return out + [_undocumented(ln) for ln in undocumented]
