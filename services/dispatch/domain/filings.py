"""Exit filings: what dispatch declares to customs for items leaving the zone, as messages, and what customs
answers (DOMAIN: 核注清单 and 核放单 through the platform; numbers come from receipts, never from typing).

A filing covers items leaving under one supervision mode to one destination country. Its inventory list is built
from the items and the account book (each line an account-book item: material no, HS code, name, declared and
legal quantities, value); the list goes out as a message and its receipts move the filing through the lifecycle
every declaration shares (``services/kit/customs/lifecycle.py``: sent, accepted, inspection, released, gate pass,
closed; rejected and resent; amended or cancelled by a message of its own).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from services.dispatch.domain.account_book import Book, BookItem
from services.kit.customs import documents
from services.kit.customs.lifecycle import Lifecycle, State, checked, message
from services.kit.errors import RuleViolation
from shared.contract.customs.messages import Direction, GatePass, InventoryList

__all__ = ["Filing", "ItemFacts", "State", "exit_list", "gate_pass", "message"]


@dataclass(frozen=True)
class ItemFacts:
    """What the inventory list line says of one dispatch item."""
    item_id: str
    kind: str
    part_number: str
    serial_number: str | None
    quantity: int
    value: Decimal
    currency: str
    origin_country: str


@dataclass
class Filing(Lifecycle):
    id: str
    item_ids: list[str]
    supervision_mode: str
    transport_mode: str
    destination_country: str
    state: State = State.sent
    list_message_id: str | None = None
    list_no: str | None = None
    pass_message_id: str | None = None
    pass_no: str | None = None
    inspection: str | None = None
    reason: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    change_message_id: str | None = None


def exit_list(filing: Filing, book: Book, items: list[ItemFacts], book_items: dict[tuple[str, str], BookItem],
              enterprise_list_no: str) -> InventoryList:
    """The filing's exit inventory list: one line per item, from its account-book item."""
    lines = []
    for n, f in enumerate(items, 1):
        b = book_items.get((f.kind, f.part_number))
        if b is None:
            raise RuleViolation(f"item {f.item_id}: material {f.part_number} ({f.kind}) is not in account book "
                                f"{book.book_no}; register it there first", field="item_ids", item_id=f.item_id)
        lines.append(documents.line(n, b, documents.Moved(f.quantity, f.value, f.currency, f.origin_country,
                                                          filing.destination_country, f.serial_number)))
    return checked("the exit list", lambda: InventoryList(
        enterprise_list_no=enterprise_list_no, book_no=book.book_no, direction=Direction.exit,
        supervision_mode=filing.supervision_mode, transport_mode=filing.transport_mode,
        customs_district=book.customs_district, owner_code=book.enterprise_code, origin_country="CN",
        destination_country=filing.destination_country, lines=lines))


def gate_pass(filing: Filing, book: Book, pass_type: str, vehicle_no: str) -> GatePass:
    return documents.gate_pass(filing.id, filing.list_no, book, Direction.exit, pass_type, vehicle_no)
