"""Exit filings: what dispatch declares to customs for items leaving the zone, as messages, and what customs
answers (DOMAIN: 核注清单 and 核放单 through the platform; numbers come from receipts, never from typing).

A filing covers items leaving under one supervision mode to one destination country. Its inventory list is built
from the items and the account book (each line an account-book item: material no, HS code, name, declared and
legal quantities, value); the list goes out as a message and its receipts move the filing:

    sent -> accepted (customs' QD number) -> [inspection -> inspected] -> released
         -> rejected (the reason; correct and send again: a new message, the same filing)
    released -> gate pass sent -> gate pass accepted (HF number) -> closed
    accepted or released -> cancellation sent -> cancelled
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from services.dispatch.domain.account_book import Book, BookItem
from services.kit.errors import Conflict, RuleViolation
from shared.contract.customs.messages import (
    Direction,
    GatePass,
    InventoryList,
    Kind,
    Line,
    Message,
    Receipt,
    ReceiptKind,
)


class State(StrEnum):
    sent = "sent"                      # the list is out (or waiting to go): no answer yet
    rejected = "rejected"
    accepted = "accepted"
    inspection = "inspection"          # customs instructed an inspection
    released = "released"
    gate_pass_sent = "gate_pass_sent"
    gate_pass_rejected = "gate_pass_rejected"
    closed = "closed"
    cancelling = "cancelling"
    cancelled = "cancelled"


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
class Filing:
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

    def sending(self, kind: Kind, message_id: str, at: datetime, actor: str) -> None:
        if kind is Kind.inventory_list:
            if self.state not in (State.sent, State.rejected) or self.list_no:
                raise Conflict(f"filing {self.id} is {self.state.value}: its list is not sent again")
            self.state, self.list_message_id, self.reason = State.sent, message_id, None
        elif kind is Kind.gate_pass:
            if self.state not in (State.released, State.gate_pass_rejected):
                raise Conflict(f"filing {self.id} is {self.state.value}: a gate pass goes out once its list is "
                               "released by customs")
            self.state, self.pass_message_id, self.reason = State.gate_pass_sent, message_id, None
        elif kind is Kind.cancellation:
            if self.state not in (State.accepted, State.inspection, State.released, State.gate_pass_rejected):
                raise Conflict(f"filing {self.id} is {self.state.value}: only a list customs accepted and no gate "
                               "pass has carried out is cancelled")
            self.state = State.cancelling
        self._note(at, actor, f"{kind.value} sent", message_id=message_id)

    def answer(self, r: Receipt) -> bool:
        """Apply a receipt; False if it changes nothing (a duplicate, or an answer to an older message)."""
        before = (self.state, self.list_no, self.pass_no, self.inspection, self.reason)
        if r.message_id == self.pass_message_id:
            self._pass_receipt(r)
        elif r.message_id == self.list_message_id or self.state is State.cancelling:
            self._list_receipt(r)
        changed = before != (self.state, self.list_no, self.pass_no, self.inspection, self.reason)
        if changed:
            self._note(r.issued_at, "customs", r.kind.value, number=r.number, reason=r.reason,
                       inspection=r.inspection.value if r.inspection else None, simulated=r.simulated)
        return changed

    def _list_receipt(self, r: Receipt) -> None:
        k = r.kind
        if k is ReceiptKind.rejected and self.state is State.cancelling:
            self.state, self.reason = State.accepted, r.reason  # the cancellation refused: the list stands
        elif k is ReceiptKind.rejected and self.state is State.sent:
            self.state, self.reason = State.rejected, r.reason
        elif k is ReceiptKind.accepted and self.state is State.sent:
            self.state, self.list_no = State.accepted, r.number
        elif k is ReceiptKind.inspection and self.state in (State.sent, State.accepted):
            self.state, self.inspection = State.inspection, r.inspection.value if r.inspection else None
        elif k is ReceiptKind.inspected and r.passed is False:
            self.reason = "the inspection did not pass"
        elif k is ReceiptKind.released and self.state in (State.accepted, State.inspection):
            self.state = State.released
        elif k is ReceiptKind.cancelled and self.state is State.cancelling:
            self.state = State.cancelled

    def _pass_receipt(self, r: Receipt) -> None:
        if r.kind is ReceiptKind.rejected and self.state is State.gate_pass_sent:
            self.state, self.reason = State.gate_pass_rejected, r.reason
        elif r.kind is ReceiptKind.accepted and self.state is State.gate_pass_sent:
            self.pass_no = r.number
        elif r.kind is ReceiptKind.closed and self.state is State.gate_pass_sent:
            self.state = State.closed

    def _note(self, at: datetime, by: str, what: str, **details: Any) -> None:
        self.history.append({"at": at.isoformat(), "by": by, "what": what,
                             **{k: v for k, v in details.items() if v is not None}})


def exit_list(filing: Filing, book: Book, items: list[ItemFacts], book_items: dict[tuple[str, str], BookItem],
              enterprise_list_no: str) -> InventoryList:
    """The filing's exit inventory list: one line per item, from its account-book item."""
    lines = []
    for n, f in enumerate(items, 1):
        b = book_items.get((f.kind, f.part_number))
        if b is None:
            raise RuleViolation(f"item {f.item_id}: material {f.part_number} ({f.kind}) is not in account book "
                                f"{book.book_no}; register it there first", field="item_ids", item_id=f.item_id)
        legal, second = b.legal(f.quantity)
        price = (f.value / f.quantity).quantize(Decimal("0.01"))
        lines.append(Line(line_no=n, book_item_no=b.item_no, material_no=b.material_no, hs_code=b.hs_code,
                          goods_name=b.goods_name, specification=b.specification, declared_quantity=Decimal(f.quantity),
                          declared_unit=b.declared_unit, legal_quantity=legal, legal_unit=b.legal_unit,
                          second_quantity=second, second_unit=b.second_unit, unit_price=price,
                          total_value=(price * f.quantity).quantize(Decimal("0.01")), currency=f.currency,
                          origin_country=f.origin_country, destination_country=filing.destination_country,
                          serial_numbers=[f.serial_number] if f.serial_number else []))
    return InventoryList(enterprise_list_no=enterprise_list_no, book_no=book.book_no, direction=Direction.exit,
                         supervision_mode=filing.supervision_mode, transport_mode=filing.transport_mode,
                         customs_district=book.customs_district, owner_code=book.enterprise_code,
                         origin_country="CN", destination_country=filing.destination_country, lines=lines)


def message(kind: Kind, sender: str, at: datetime, **body: Any) -> Message:
    return Message(message_id=str(uuid.uuid4()), kind=kind, sender=sender, sent_at=at, **body)


def gate_pass(filing: Filing, book: Book, pass_type: str, vehicle_no: str, enterprise_pass_no: str) -> GatePass:
    if not filing.list_no:
        raise Conflict(f"filing {filing.id} has no inventory list number from customs yet")
    return GatePass(enterprise_pass_no=enterprise_pass_no, pass_type=pass_type, direction=Direction.exit,
                    customs_district=book.customs_district, vehicle_no=vehicle_no,
                    inventory_list_nos=[filing.list_no])
