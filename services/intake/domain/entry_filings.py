"""Entry filings: what intake declares to customs for announced units coming into the zone (核注清单, direction I,
then the gate pass 核放单), as messages; customs' receipts move the filing (``services/kit/customs/lifecycle.py``)
and, through it, the units:

    list accepted (QD number)   -> the number joins the units' documents; they stay announced
    inspection instructed       -> units declared, awaiting inspection (the kind customs gave: on site, remote video)
    inspected, not passed       -> units rejected (4500: returned before release)
    released                    -> units declared and cleared: they may be received
    gate pass accepted (HF)     -> the number joins the units' documents
    list rejected               -> the reason on the units' history; the clerk corrects and resends

One filing: units of one owner and one origin, all announced, under 1371 (bonded repair); the list's lines come from
the account book's items (a unit's item is its part number's)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from services.kit.customs import documents
from services.kit.customs.documents import BookEntry, BookHeader
from services.kit.customs.lifecycle import Lifecycle, State, checked
from services.kit.errors import RuleViolation
from shared.contract.customs.messages import Direction, InventoryList, Receipt, ReceiptKind

BONDED_REPAIR = "1371"
DOMESTIC = "CN"


@dataclass
class EntryFiling(Lifecycle):
    id: str
    unit_ids: list[str]
    owner_id: str
    origin_country: str          # the units' country (CN for units from the domestic area)
    transport_mode: str
    supervision_mode: str = BONDED_REPAIR
    state: State = State.sent
    list_message_id: str | None = None
    list_no: str | None = None
    pass_message_id: str | None = None
    pass_no: str | None = None
    pass_type: str | None = None
    inspection: str | None = None
    reason: str | None = None
    change_message_id: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class UnitFacts:
    """What a line says of one announced unit."""
    unit_id: str
    part_number: str
    serial_number: str
    declared_value: Decimal
    currency: str
    origin_country: str


def entry_list(filing: EntryFiling, book: BookHeader, owner_code: str, units: list[UnitFacts],
               book_items: dict[str, BookEntry]) -> InventoryList:
    """The filing's entry inventory list: one line per unit, from its part number's account-book item."""
    lines = []
    for n, u in enumerate(units, 1):
        item = book_items.get(u.part_number)
        if item is None:
            raise RuleViolation(f"unit {u.unit_id}: material {u.part_number} (unit) is not in account book "
                                f"{book.book_no}; register it there first (dispatch: POST /v1/account-book/items)",
                                field="unit_ids", unit_id=u.unit_id)
        moved = documents.Moved(1, u.declared_value, u.currency, u.origin_country, DOMESTIC, u.serial_number)
        lines.append(documents.line(n, item, moved))
    return checked("the entry list", lambda: InventoryList(
        enterprise_list_no=documents.enterprise_no(filing.id), book_no=book.book_no, direction=Direction.entry,
        supervision_mode=filing.supervision_mode, transport_mode=filing.transport_mode,
        customs_district=book.customs_district, owner_code=owner_code, origin_country=filing.origin_country,
        destination_country=DOMESTIC, lines=lines))


class Step(StrEnum):
    """What a receipt that moved a filing does to its units."""
    numbered = "numbered"        # the list's QD number
    rejected = "rejected"        # the list refused: the reason
    inspection = "inspection"    # customs instructed an inspection
    failed = "failed"            # the inspection did not pass
    released = "released"
    gate_pass = "gate_pass"      # the gate pass's HF number
    changed = "changed"          # an amendment answered


def step(filing: EntryFiling, r: Receipt) -> Step | None:
    """The units' part of a receipt that changed ``filing`` (read after ``filing.answer(r)``)."""
    k = r.kind
    if r.message_id == filing.pass_message_id:
        return Step.gate_pass if k is ReceiptKind.accepted and filing.pass_no else None
    if r.message_id != filing.list_message_id:
        return Step.changed
    return {ReceiptKind.accepted: Step.numbered, ReceiptKind.rejected: Step.rejected,
            ReceiptKind.inspection: Step.inspection, ReceiptKind.released: Step.released,
            ReceiptKind.inspected: Step.failed if r.passed is False else None}.get(k)
