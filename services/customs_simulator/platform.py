"""The simulated platform's decisions: pure, clocked from outside (``receive`` now, ``due`` later)."""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from shared.contract.customs import numbers, rules
from shared.contract.customs.messages import InspectionKind, Kind, Message, Receipt, ReceiptKind


class Tier(StrEnum):
    advanced_certified = "advanced_certified"
    certified = "certified"
    general = "general"
    dishonest = "dishonest"
    seriously_dishonest = "seriously_dishonest"


DEFAULT_RATES = {Tier.advanced_certified: 0.02, Tier.certified: 0.05, Tier.general: 0.10, Tier.dishonest: 0.80,
                 Tier.seriously_dishonest: 1.0}


@dataclass
class Options:
    release_delay_s: float = 2.0
    inspection_delay_s: float = 2.0
    rates: dict[Tier, float] = field(default_factory=lambda: dict(DEFAULT_RATES))
    enterprises: dict[str, Tier] = field(default_factory=dict)  # owner customs code -> credit tier


@dataclass
class Controls:
    """What a test tells the simulator to do to the next message (each used once)."""
    reject_next: str | None = None
    delay_next_s: float | None = None
    duplicate_next: bool = False
    inspect_next: InspectionKind | None = None
    fail_next_inspection: bool = False


@dataclass
class Declared:
    number: str
    kind: Kind
    message: Message
    state: str = "accepted"   # accepted, inspecting, failed, released, closed, cancelled


def selected(number: str, rate: float) -> bool:
    """Reproducible for an audit: the list number decides, through SHA-256, against the tier's rate."""
    draw = int.from_bytes(hashlib.sha256(number.encode()).digest()[:8], "big") / 2**64
    return draw < rate


class Platform:
    def __init__(self, options: Options) -> None:
        self.options, self.controls = options, Controls()
        self.receipts: list[Receipt] = []
        self.messages: dict[str, Message] = {}
        self.declared: dict[str, Declared] = {}
        self._sequences: dict[tuple[str, str, int, str], int] = {}
        self._scheduled: list[tuple[datetime, Receipt, str | None, str | None]] = []

    # --- answering a message ---------------------------------------------------------------------------------
    def receive(self, m: Message, now: datetime) -> list[Receipt]:
        """The receipts issued at once; later ones (inspection done, release, close) come from ``due``."""
        if m.message_id in self.messages:  # a resend of the same message: the same answers again
            return [r for r in self.receipts if r.message_id == m.message_id]
        self.messages[m.message_id] = m
        forced, self.controls.reject_next = self.controls.reject_next, None
        problems = [forced] if forced else rules.check(m)
        if problems:
            return self._issue(m, ReceiptKind.rejected, now, reason="; ".join(problems))
        answer = {Kind.inventory_list: self._list, Kind.gate_pass: self._gate_pass, Kind.amendment: self._amend,
                  Kind.cancellation: self._cancel}[m.kind]
        return answer(m, now)

    def _list(self, m: Message, now: datetime) -> list[Receipt]:
        doc = m.inventory_list
        assert doc is not None
        number = self._number("inventory_list", doc.customs_district, now, doc.direction.value)
        self.declared[number] = Declared(number, m.kind, m)
        out = self._issue(m, ReceiptKind.accepted, now, number=number)
        kind = self._inspection(number, doc.owner_code)
        delay = self._delay()
        if kind is None:
            self._schedule(now + delay, m, ReceiptKind.released, number, "released", number=number)
            return out
        self.declared[number].state = "inspecting"
        out += self._issue(m, ReceiptKind.inspection, now, number=number, inspection=kind)
        done = now + timedelta(seconds=self.options.inspection_delay_s)
        failed, self.controls.fail_next_inspection = self.controls.fail_next_inspection, False
        if failed:  # not released: the goods go back (bondline returns them under 4500)
            self._schedule(done, m, ReceiptKind.inspected, number, "failed", number=number, inspection=kind,
                           passed=False)
            return out
        self._schedule(done, m, ReceiptKind.inspected, number, None, number=number, inspection=kind, passed=True)
        self._schedule(done + delay, m, ReceiptKind.released, number, "released", number=number)
        return out

    def _inspection(self, number: str, owner_code: str) -> InspectionKind | None:
        forced, self.controls.inspect_next = self.controls.inspect_next, None
        tier = self.options.enterprises.get(owner_code, Tier.general)
        if forced is None and not selected(number, self.options.rates[tier]):
            return None
        if forced is not None:
            return forced
        return InspectionKind.remote_video if tier is Tier.advanced_certified else InspectionKind.on_site

    def _gate_pass(self, m: Message, now: datetime) -> list[Receipt]:
        doc = m.gate_pass
        assert doc is not None
        unknown = [n for n in doc.inventory_list_nos if n not in self.declared]
        if unknown:
            return self._issue(m, ReceiptKind.rejected, now, reason=f"inventory lists not declared: {unknown}")
        waiting = [n for n in doc.inventory_list_nos if self.declared[n].state != "released"]
        if waiting:
            return self._issue(m, ReceiptKind.rejected, now, reason=f"inventory lists not released yet: {waiting}")
        number = self._number("gate_pass", doc.customs_district, now, doc.direction.value)
        self.declared[number] = Declared(number, m.kind, m)
        out = self._issue(m, ReceiptKind.accepted, now, number=number)
        self._schedule(now + self._delay(), m, ReceiptKind.closed, number, "closed", number=number)
        for n in doc.inventory_list_nos:
            self.declared[n].state = "closed"
        return out

    def _amend(self, m: Message, now: datetime) -> list[Receipt]:
        target = self.declared.get(m.refers_to or "")
        if target is None or target.kind is not Kind.inventory_list:
            return self._issue(m, ReceiptKind.rejected, now, reason=f"no inventory list {m.refers_to}")
        if target.state in ("closed", "cancelled", "failed"):
            return self._issue(m, ReceiptKind.rejected, now, reason=f"{target.number} is {target.state}: not amendable")
        target.message = m
        return self._issue(m, ReceiptKind.accepted, now, number=target.number)

    def _cancel(self, m: Message, now: datetime) -> list[Receipt]:
        target = self.declared.get(m.refers_to or "")
        if target is None:
            return self._issue(m, ReceiptKind.rejected, now, reason=f"no inventory list {m.refers_to}")
        if target.state in ("closed", "cancelled", "failed"):
            reason = f"{target.number} is {target.state}: not cancellable"
            return self._issue(m, ReceiptKind.rejected, now, reason=reason)
        target.state = "cancelled"
        self._scheduled = [s for s in self._scheduled if s[2] != target.number]  # no release of a cancelled list
        return self._issue(m, ReceiptKind.cancelled, now, number=target.number)

    # --- later steps --------------------------------------------------------------------------------------------
    def due(self, now: datetime) -> list[Receipt]:
        ready = [s for s in self._scheduled if s[0] <= now]
        self._scheduled = [s for s in self._scheduled if s[0] > now]
        out = []
        for _, receipt, number, state in sorted(ready, key=lambda s: s[0]):
            if number is not None and state is not None and self.declared[number].state not in ("cancelled", "closed"):
                self.declared[number].state = state
            out += self._append(receipt.model_copy(update={"issued_at": now}))
        return out

    # --- helpers ------------------------------------------------------------------------------------------------
    def _delay(self) -> timedelta:
        forced, self.controls.delay_next_s = self.controls.delay_next_s, None
        return timedelta(seconds=self.options.release_delay_s if forced is None else forced)

    def _number(self, kind: str, district: str, now: datetime, direction: str) -> str:
        key = (kind, district, now.year, direction)
        self._sequences[key] = self._sequences.get(key, 0) + 1
        return numbers.build(kind, district, now.year, direction, self._sequences[key])

    def _receipt(self, m: Message, kind: ReceiptKind, now: datetime, **fields: object) -> Receipt:
        return Receipt(receipt_id=str(uuid.uuid4()), message_id=m.message_id, kind=kind, issued_at=now,
                       simulated=True, **fields)  # type: ignore[arg-type]

    def _schedule(self, when: datetime, m: Message, kind: ReceiptKind, track: str, state: str | None,
                  **fields: object) -> None:
        """A receipt issued at ``when`` about the declared document ``track``, moving it to ``state``."""
        self._scheduled.append((when, self._receipt(m, kind, when, **fields), track, state))

    def _issue(self, m: Message, kind: ReceiptKind, now: datetime, **fields: object) -> list[Receipt]:
        return self._append(self._receipt(m, kind, now, **fields))

    def _append(self, receipt: Receipt) -> list[Receipt]:
        copies = 2 if self.controls.duplicate_next else 1
        self.controls.duplicate_next = False
        self.receipts += [receipt] * copies
        return [receipt] * copies
