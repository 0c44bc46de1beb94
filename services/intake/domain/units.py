"""The unit as intake knows it: custody state machine from announcement to release to repair."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from typing_extensions import TypedDict

from services.kit.errors import Conflict, RuleViolation, illegal_transition

HS_CODE = re.compile(r"^\d{10}$")


class UnitState(StrEnum):
    announced = "announced"
    declared = "declared"                    # entered under customs, cleared for receipt
    inspection_pending = "inspection_pending"
    discrepancy = "discrepancy"
    received = "received"
    released_to_repair = "released_to_repair"
    rejected = "rejected"
    exited = "exited"                        # shipped out of the zone (dispatch's fact); its serial may return
    withdrawn = "withdrawn"                  # pre-alerted, never arrived, withdrawn: no customs movement at all


class Origin(StrEnum):
    foreign = "foreign"
    domestic = "domestic"


class ReturnMode(StrEnum):
    """The customs mode a rejected unit goes back under."""
    before_customs_release = "4500"
    after_customs_release = "4561"


S = UnitState
GONE = (S.rejected, S.exited, S.withdrawn)  # no longer in the zone's care: the serial number may be announced again
ALLOWED = {  # action -> states it may start from
    "declare": {S.announced}, "inspect": {S.inspection_pending}, "receive": {S.declared},
    "resolve": {S.discrepancy}, "release": {S.received},
    "reject": {S.declared, S.inspection_pending, S.discrepancy, S.received},
    "exit": {S.released_to_repair}, "withdraw": {S.announced},
}
LOCATION = {S.announced: "not arrived", S.declared: "zone gate", S.inspection_pending: "inspection area",
            S.discrepancy: "quarantine", S.received: "awaiting repair", S.released_to_repair: "in repair",
            S.rejected: "return area", S.exited: "left the zone", S.withdrawn: "never arrived"}


class Discrepancy(TypedDict, total=False):
    """What was read on receipt against what was announced (empty while the unit matches)."""
    expected_serial_number: str
    found_serial_number: str
    expected_part_number: str
    found_part_number: str


@dataclass(frozen=True)
class Step:
    """One line of a unit's history."""
    at: datetime
    actor: str
    action: str
    from_state: str | None
    to_state: str
    documents: dict[str, str] = field(default_factory=dict)
    note: str = ""


@dataclass
class Unit:
    id: str
    request_id: str
    owner_id: str
    serial_number: str
    part_number: str
    hs_code: str
    origin: Origin
    declared_value: Decimal
    currency: str
    catalogue_version: int
    announced_at: datetime
    description: str = ""
    origin_country: str | None = None
    warranty: bool = False
    fault_description: str = ""
    maker_group: str | None = None
    state: UnitState = UnitState.announced
    custody_location: str = "not arrived"
    documents: dict[str, str] = field(default_factory=dict)
    declaration_id: str | None = None
    customs_released: bool = False
    condition_notes: str = ""
    discrepancy: Discrepancy = field(default_factory=Discrepancy)
    rejection_reason: str | None = None
    received_at: datetime | None = None
    released_at: datetime | None = None
    version: int = 1
    history: list[Step] = field(default_factory=list)

    @classmethod
    def announce(cls, at: datetime, actor: str, **facts: object) -> Unit:
        unit = cls(announced_at=at, **facts)  # type: ignore[arg-type]
        unit.history.append(Step(at, actor, "announce", None, S.announced.value, {},
                                 f"eligible under catalogue version {unit.catalogue_version}"))
        return unit

    def _check(self, action: str) -> None:
        if self.state not in ALLOWED[action]:
            raise illegal_transition(f"unit {self.id}", action, self.state.value,
                                     sorted(s.value for s in ALLOWED[action]))

    def _move(self, action: str, to: UnitState, at: datetime, actor: str, note: str = "",
              documents: dict[str, str] | None = None) -> None:
        self._check(action)
        self.history.append(Step(at, actor, action, self.state.value, to.value, dict(documents or {}), note))
        self.state, self.custody_location = to, LOCATION[to]

    def declare(self, declaration_id: str, documents: dict[str, str], selected: bool, at: datetime,
                actor: str) -> None:
        self.documents |= documents
        self.declaration_id = declaration_id
        self._move("declare", S.inspection_pending if selected else S.declared, at, actor, documents=documents)
        self.customs_released = not selected

    def inspected(self, passed: bool, at: datetime, actor: str, note: str = "") -> None:
        if passed:
            self._move("inspect", S.declared, at, actor, note)
            self.customs_released = True
        else:
            self.reject(f"failed customs inspection: {note}".rstrip(": "), at, actor)

    def receive(self, serial: str, part: str, condition: str, at: datetime, actor: str) -> bool:
        """True if received; False if it does not match the request and awaits a clerk."""
        self.condition_notes = condition
        if (serial, part) != (self.serial_number, self.part_number):
            self.discrepancy = Discrepancy(expected_serial_number=self.serial_number, found_serial_number=serial,
                                           expected_part_number=self.part_number, found_part_number=part)
            self._move("receive", S.discrepancy, at, actor, "serial or part number differs from the request")
            return False
        self._move("receive", S.received, at, actor, condition)
        self.received_at = at
        return True

    def resolve(self, accept: bool, note: str, at: datetime, actor: str) -> None:
        self._check("resolve")
        if not accept:
            self.reject(f"discrepancy not accepted: {note}".rstrip(": "), at, actor)
            return
        self.serial_number = self.discrepancy.get("found_serial_number", self.serial_number)
        self.part_number = self.discrepancy.get("found_part_number", self.part_number)
        self._move("resolve", S.received, at, actor, note or "accepted as found")
        self.received_at = at

    def release_to_repair(self, at: datetime, actor: str) -> None:
        self._move("release", S.released_to_repair, at, actor)
        self.released_at = at

    def exit_zone(self, at: datetime, actor: str, note: str, documents: dict[str, str]) -> bool:
        """The unit left the zone in a shipment; False if that was already recorded (a redelivery)."""
        if self.state is S.exited:
            return False
        self._move("exit", S.exited, at, actor, note, documents)
        return True

    def allocate(self, owner_id: str, at: datetime, actor: str, note: str) -> None:
        """Dispatch allocated the (repaired, still bonded) unit to another owner: the record follows, its state
        does not change (a history line says who owned it before)."""
        self.history.append(Step(at, actor, "allocate", self.state.value, self.state.value,
                                 {"previous_owner": self.owner_id}, note))
        self.owner_id = owner_id

    def file(self, filing_id: str, at: datetime, actor: str) -> None:
        """The unit goes on an entry filing to the customs platform; it stays announced until customs answers."""
        self._check("declare")
        if self.declaration_id is not None and self.declaration_id != filing_id:
            raise Conflict(f"unit {self.id} is already on customs entry {self.declaration_id}", field="unit_ids")
        self.declaration_id = filing_id
        self.note("file", at, actor, f"on entry filing {filing_id}, sent to the customs platform")

    def unfile(self, filing_id: str, at: datetime, actor: str) -> None:
        """Taken off an entry filing before customs declared it (a list corrected without the unit)."""
        self._check("declare")
        self.declaration_id = None
        self.note("unfile", at, actor, f"taken off entry filing {filing_id}")

    def note(self, action: str, at: datetime, actor: str, note: str, documents: dict[str, str] | None = None) -> None:
        """A history line that moves nothing (what customs answered, a number it gave); the documents are kept."""
        self.documents |= documents or {}
        self.history.append(Step(at, actor, action, self.state.value, self.state.value, dict(documents or {}), note))

    def withdraw(self, reason: str, at: datetime, actor: str) -> None:
        """A pre-alerted unit that never arrived leaves the books; only before its customs entry."""
        if not reason.strip():
            raise RuleViolation("a withdrawal needs a reason", field="reason")
        if self.state is S.announced and self.declaration_id is not None:
            raise Conflict(f"unit {self.id} is on customs entry {self.declaration_id}: take it off the entry list "
                           "(resend the list without it) before withdrawing it", field="reason")
        self._move("withdraw", S.withdrawn, at, actor, reason)
        self.rejection_reason = reason

    def reject(self, reason: str, at: datetime, actor: str) -> str:
        """Refuse the unit; returns the return mode: 4500 before customs release, 4561 after."""
        if not reason.strip():
            raise RuleViolation("a rejection needs a reason", field="reason")
        mode = (ReturnMode.after_customs_release if self.customs_released else ReturnMode.before_customs_release).value
        self._move("reject", S.rejected, at, actor, reason, {"return_mode": mode})
        self.rejection_reason, self.documents = reason, self.documents | {"return_mode": mode}
        return mode
