"""Stocktake (盘点): what the centre counts in a custody location against what the account book says is there.

A stocktake is opened for a location at a moment; the book's side is frozen then (per account-book item the
quantity on hand, and for units their serials). The centre enters its counts per item (units by serial). Each
item whose count differs from the book (or a unit missing or found) is a difference: the centre explains it, or
raises it as a discrepancy that a customs officer resolves. A stocktake closes only when every difference is
explained or resolved; then it is read-only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from services.kit.errors import Conflict, RuleViolation


class State(StrEnum):
    open = "open"
    closed = "closed"


class Handling(StrEnum):
    explained = "explained"            # the centre knows why (a unit out for calibration, a miscount corrected)
    raised = "raised"                  # a discrepancy for customs to resolve
    resolved = "resolved"              # a customs officer resolved the raised discrepancy


@dataclass
class Difference:
    book_item_no: int
    book_quantity: Decimal
    counted_quantity: Decimal
    missing: list[str] = field(default_factory=list)   # serials the book holds that were not counted
    found: list[str] = field(default_factory=list)     # serials counted that the book does not hold
    handling: Handling | None = None
    note: str = ""
    by: str | None = None

    @property
    def quantity(self) -> Decimal:
        """Counted minus book: negative when less was found than the book holds."""
        return self.counted_quantity - self.book_quantity

    @property
    def settled(self) -> bool:
        return self.handling in (Handling.explained, Handling.resolved)


@dataclass
class Count:
    book_item_no: int
    quantity: Decimal
    serials: list[str] = field(default_factory=list)


@dataclass
class Stocktake:
    id: str
    location: str
    as_of: datetime
    book: dict[int, tuple[Decimal, list[str]]]   # item no -> (quantity on hand, serials of its units)
    state: State = State.open
    counts: dict[int, Count] = field(default_factory=dict)
    handled: dict[int, tuple[Handling, str, str]] = field(default_factory=dict)  # item no -> (how, note, by)
    closed_at: datetime | None = None

    def count(self, c: Count) -> None:
        self._open()
        if c.quantity < 0:
            raise RuleViolation("a count cannot be negative", field="quantity")
        if c.serials and Decimal(len(set(c.serials))) != c.quantity:
            raise RuleViolation(f"item {c.book_item_no}: {len(set(c.serials))} serials for a count of {c.quantity}; "
                                "units are counted by serial, one each", field="serials")
        self.counts[c.book_item_no] = Count(c.book_item_no, c.quantity, sorted(set(c.serials)))
        self.handled.pop(c.book_item_no, None)  # a new count: its difference is looked at again

    def differences(self) -> list[Difference]:
        """Every item counted or in the book whose count differs (uncounted items count as zero found)."""
        out = []
        for item_no in sorted(set(self.book) | set(self.counts)):
            book_q, book_serials = self.book.get(item_no, (Decimal(0), []))
            c = self.counts.get(item_no, Count(item_no, Decimal(0)))
            missing = sorted(set(book_serials) - set(c.serials)) if c.serials or book_serials else []
            found = sorted(set(c.serials) - set(book_serials))
            if c.quantity != book_q or missing or found:
                how, note, by = self.handled.get(item_no, (None, "", None))
                out.append(Difference(item_no, book_q, c.quantity, missing, found, how, note, by))
        return out

    def handle(self, item_no: int, how: Handling, note: str, by: str) -> None:
        self._open()
        if not note.strip():
            raise RuleViolation("say why: a difference is explained or resolved with a note", field="note")
        diff = next((d for d in self.differences() if d.book_item_no == item_no), None)
        if diff is None:
            raise RuleViolation(f"item {item_no} has no difference in stocktake {self.id}", field="item_no")
        if how is Handling.resolved and diff.handling is not Handling.raised:
            raise Conflict(f"item {item_no}'s difference was not raised as a discrepancy; only a raised one is "
                           "resolved by customs")
        if how is not Handling.resolved and diff.handling is Handling.raised:
            raise Conflict(f"item {item_no}'s difference is raised: a customs officer resolves it now")
        self.handled[item_no] = (how, note.strip(), by)

    def close(self, at: datetime) -> None:
        self._open()
        pending = [d.book_item_no for d in self.differences() if not d.settled]
        if pending:
            raise Conflict(f"stocktake {self.id} has differences neither explained nor resolved: items "
                           f"{', '.join(map(str, pending))}")
        self.state, self.closed_at = State.closed, at

    def _open(self) -> None:
        if self.state is State.closed:
            raise Conflict(f"stocktake {self.id} is closed (read-only since {self.closed_at:%Y-%m-%d %H:%M} UTC)")
