"""A declaration at the customs platform, moved only by customs' receipts (plain Python, no I/O): the states an entry
filing (intake) and an exit filing (dispatch) share, whatever they carry.

    sent -> accepted (customs' QD number) -> [inspection -> inspected] -> released
         -> rejected (the reason; correct and send again: a new message, the same filing)
    released -> gate pass sent -> gate pass accepted (HF number) -> closed
    accepted, inspection or released -> amendment sent -> accepted (the list stands amended) or rejected (it stands
                                                          as it was; the reason kept)
    accepted, inspection or released -> cancellation sent -> cancelled (or refused: the list stands)

An amendment or cancellation (删改单) is a message of its own, ``change_message_id``, answered by receipts of its own;
while one waits nothing else goes out. A receipt answering an older message, or read twice, changes nothing."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import ValidationError

from services.kit.errors import Conflict, RuleViolation
from shared.contract.customs.messages import Kind, Message, Receipt, ReceiptKind


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


DECLARED = (State.accepted, State.inspection, State.released)  # customs holds the list and no gate pass carried it
CHANGEABLE = DECLARED + (State.gate_pass_rejected,)


class Lifecycle:
    """Mixed into a filing dataclass that has these fields (the dataclass gives them their defaults)."""
    id: str
    state: State
    list_message_id: str | None
    list_no: str | None
    pass_message_id: str | None
    pass_no: str | None
    inspection: str | None
    reason: str | None
    change_message_id: str | None
    history: list[dict[str, Any]]

    def sending(self, kind: Kind, message_id: str, at: datetime, actor: str) -> None:
        if self.change_message_id is not None:
            raise Conflict(f"filing {self.id}: an amendment or cancellation waits for customs' answer; send nothing "
                           "else until it comes")
        if kind is Kind.inventory_list:
            if self.state not in (State.sent, State.rejected) or self.list_no:
                raise Conflict(f"filing {self.id} is {self.state.value}: its list is not sent again (customs holds it: "
                               "amend it instead)")
            self.state, self.list_message_id, self.reason = State.sent, message_id, None
        elif kind is Kind.gate_pass:
            if self.state not in (State.released, State.gate_pass_rejected):
                raise Conflict(f"filing {self.id} is {self.state.value}: a gate pass goes out once its list is "
                               "released by customs")
            self.state, self.pass_message_id, self.reason = State.gate_pass_sent, message_id, None
        elif kind is Kind.amendment:
            if self.state not in CHANGEABLE:
                raise Conflict(f"filing {self.id} is {self.state.value}: only a list customs accepted and no gate "
                               "pass has carried is amended")
            self.change_message_id = message_id
        elif kind is Kind.cancellation:
            if self.state not in CHANGEABLE:
                raise Conflict(f"filing {self.id} is {self.state.value}: only a list customs accepted and no gate "
                               "pass has carried out is cancelled")
            self.state, self.change_message_id = State.cancelling, message_id
        self._note(at, actor, f"{kind.value} sent", message_id=message_id)

    def answer(self, r: Receipt) -> bool:
        """Apply a receipt; False if it changes nothing (a duplicate, or an answer to an older message)."""
        before = self._facts()
        if r.message_id == self.change_message_id:
            self._change_receipt(r)
        elif r.message_id == self.pass_message_id:
            self._pass_receipt(r)
        elif r.message_id == self.list_message_id:
            self._list_receipt(r)
        changed = before != self._facts()
        if changed:
            self._note(r.issued_at, "customs", r.kind.value, number=r.number, reason=r.reason,
                       inspection=r.inspection.value if r.inspection else None, passed=r.passed,
                       simulated=r.simulated)
        return changed

    def _facts(self) -> tuple[Any, ...]:
        return self.state, self.list_no, self.pass_no, self.inspection, self.reason, self.change_message_id

    def _list_receipt(self, r: Receipt) -> None:
        k = r.kind
        if k is ReceiptKind.rejected and self.state is State.sent:
            self.state, self.reason = State.rejected, r.reason
        elif k is ReceiptKind.accepted and self.state is State.sent:
            self.state, self.list_no = State.accepted, r.number
        elif k is ReceiptKind.inspection and self.state in (State.sent, State.accepted):
            self.state, self.inspection = State.inspection, r.inspection.value if r.inspection else None
        elif k is ReceiptKind.inspected and r.passed is False and self.state is State.inspection:
            self.reason = "the inspection did not pass"
        elif k is ReceiptKind.released and self.state in (State.accepted, State.inspection):
            self.state = State.released

    def _change_receipt(self, r: Receipt) -> None:
        """The answer to an amendment or a cancellation: either way the change no longer waits."""
        cancelling = self.state is State.cancelling
        if r.kind is ReceiptKind.rejected:
            self.reason, self.change_message_id = r.reason, None
            if cancelling:
                self.state = State.accepted  # the cancellation refused: the list stands
        elif r.kind is ReceiptKind.cancelled and cancelling:
            self.state, self.change_message_id = State.cancelled, None
        elif r.kind is ReceiptKind.accepted and not cancelling:
            self.reason, self.change_message_id = None, None

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


def message(kind: Kind, sender: str, at: datetime, **body: Any) -> Message:
    return checked(f"the {kind.value.replace('_', ' ')}", lambda: Message(
        message_id=str(uuid.uuid4()), kind=kind, sender=sender, sent_at=at, **body))


T = TypeVar("T")


def checked(what: str, build: Callable[[], T]) -> T:
    """A document of the contract, or a RuleViolation naming what of it customs' format cannot carry (a control
    character in a reason or a serial number, a vehicle number too long, a value too large)."""
    try:
        return build()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RuleViolation(f"{what} cannot be declared: {where}: {first['msg']}", field=where) from None
