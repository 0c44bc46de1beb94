"""Compliance holds: a screening hit holds an item (its destination) or a shipment (its consignee) until a
compliance officer releases it, or until screening again no longer finds it (the decision changed, the lists did).

Nothing with an open hold is declared or shipped. A country rule is exact: its hold is released with a licence, or
not at all when the destination is prohibited (amend the decision). A party match is fuzzy: its hold is released as
a false positive, or with a licence when the entry's effect is licence required. Plain Python.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from services.dispatch.domain.screening import Hit
from services.kit.errors import Conflict, RuleViolation

Subject = Literal["item", "shipment"]
Basis = Literal["licence", "false_positive"]
Point = Literal["decision", "amendment", "declaration", "consignee", "customs_clearance", "shipping", "list_change"]


class HoldStatus(StrEnum):
    open = "open"
    released = "released"   # by a compliance officer
    cleared = "cleared"     # screening again no longer finds it


@dataclass(frozen=True)
class Licence:
    number: str
    valid_until: date
    valid_from: date | None = None

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and day <= self.valid_until


@dataclass(frozen=True)
class Closure:
    at: datetime
    actor: str
    reason: str
    basis: Basis | Literal["no_longer_matches"]
    licence: Licence | None = None


@dataclass
class Hold:
    id: str
    subject: Subject
    subject_id: str
    hit: Hit
    point: Point
    list_version: int
    opened_at: datetime
    opened_by: str
    status: HoldStatus = HoldStatus.open
    closure: Closure | None = None

    @property
    def summary(self) -> dict[str, Any]:
        return {"hold_id": self.id, "subject": self.subject, "subject_id": self.subject_id, "reason": self.hit.reason}

    def release(self, basis: Basis, reason: str, licence: Licence | None, actor: str, at: datetime) -> None:
        if self.status is not HoldStatus.open:
            raise Conflict(f"hold {self.id} is {self.status.value}: only an open hold is released", state=self.status)
        if not reason.strip():
            raise RuleViolation("a release needs a reason (it is audited)", field="reason")
        _check_basis(self.hit, basis, licence, at.date())
        self.status, self.closure = HoldStatus.released, Closure(at, actor, reason, basis, licence)

    def clear(self, reason: str, actor: str, at: datetime) -> None:
        self.status, self.closure = HoldStatus.cleared, Closure(at, actor, reason, "no_longer_matches")

    def covers(self, hit: Hit, day: date) -> bool:
        """True if this hold already answers ``hit``: it is open, or it was released for good (a false positive,
        a licence still valid on ``day``)."""
        if hit.key != self.hit.key or self.status is HoldStatus.cleared:
            return False
        if self.status is HoldStatus.open or self.closure is None:
            return True
        return self.closure.licence is None or self.closure.licence.valid_on(day)


def _check_basis(hit: Hit, basis: Basis, licence: Licence | None, today: date) -> None:
    if hit.screen == "country" and hit.control == "prohibited":
        raise Conflict(f"{hit.reason}: a prohibited destination is never released; amend the decision (or, if the "
                       "list is wrong, correct it: the item is screened again)", rule="prohibited_destination")
    if basis == "false_positive" and hit.screen == "country":
        raise RuleViolation("a country rule matches exactly: there is no false positive; release it with a licence",
                            field="basis")
    if basis == "licence" and hit.control == "prohibited":
        raise RuleViolation("a prohibited party is not released by a licence: only as a false positive (not this "
                            "party)", field="basis")
    if basis == "licence":
        if licence is None:
            raise RuleViolation("a licence release needs the licence: number and validity", field="licence")
        if licence.valid_from is not None and licence.valid_from > licence.valid_until:
            raise RuleViolation("the licence's valid_from is after its valid_until", field="licence.valid_from")
        if not licence.valid_on(today):
            raise RuleViolation(f"licence {licence.number} is not valid today ({today.isoformat()})",
                                field="licence.valid_until")


def reconcile(holds: list[Hold], hits: list[Hit], day: date) -> tuple[list[Hit], list[Hold]]:
    """What screening again means for one subject and screen: the hits that need a new hold, and the open holds
    nothing matches any more (to clear). A hit whose licence expired is held again, saying so."""
    keys = {h.key for h in hits}
    stale = [h for h in holds if h.status is HoldStatus.open and h.hit.key not in keys]
    new = []
    for hit in hits:
        if any(h.covers(hit, day) for h in holds):
            continue
        expired = [h.closure.licence for h in holds if h.hit.key == hit.key and h.closure and h.closure.licence]
        new.append(replace(hit, reason=f"{hit.reason} (licence {expired[-1].number} expired on "
                                       f"{expired[-1].valid_until.isoformat()})") if expired else hit)
    return new, stale
