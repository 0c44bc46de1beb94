"""Replaced old or bad parts: items of their own, tied to the parent unit, with a disposal deadline.

Foreign-origin old parts are re-exported (0864/0865) or destroyed under customs supervision
(0200/0400) and never enter the domestic market; domestic-origin ones leave to the domestic area by
gate registration, or are destroyed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from services.kit.errors import Conflict, RuleViolation
from shared.contract.events.common import Origin


class DisposalRoute(StrEnum):
    reexport_0864 = "reexport_0864"
    reexport_0865 = "reexport_0865"
    destruction_0200 = "destruction_0200"
    destruction_0400 = "destruction_0400"
    gate_registration = "gate_registration"  # to the domestic area
    destruction = "destruction"


R = DisposalRoute
ROUTES = {"foreign": (R.reexport_0864, R.reexport_0865, R.destruction_0200, R.destruction_0400),
          "domestic": (R.gate_registration, R.destruction)}


def supervision_mode(route: DisposalRoute) -> str | None:
    code = route.value.rsplit("_", 1)[-1]
    return code if code.isdigit() else None


@dataclass
class OldPart:
    id: str
    unit_id: str
    work_order_id: str
    owner_id: str
    part_number: str
    quantity: int
    origin: Origin
    removed_at: datetime
    disposal_deadline: datetime
    route: DisposalRoute | None = None
    document_no: str | None = None
    disposed_at: datetime | None = None
    disposed_by: str | None = None
    note: str = ""

    @classmethod
    def removed(cls, *, disposal_days: int, removed_at: datetime, origin: Origin, **facts: object) -> OldPart:
        if origin not in ROUTES:
            raise RuleViolation(f"unknown origin {origin!r}", field="origin")
        return cls(removed_at=removed_at, origin=origin, disposal_deadline=removed_at + timedelta(days=disposal_days),
                   **facts)  # type: ignore[arg-type]

    @property
    def allowed_routes(self) -> list[str]:
        return [r.value for r in ROUTES[self.origin]]

    def overdue(self, now: datetime) -> bool:
        return self.disposed_at is None and now > self.disposal_deadline

    def dispose(self, route: DisposalRoute, document_no: str, at: datetime, actor: str, note: str = "") -> bool:
        """Record the disposal; True if it came after the deadline (a compliance breach to report)."""
        if self.disposed_at is not None:
            raise Conflict(f"old part {self.id} was already disposed of ({self.route}) on "
                           f"{self.disposed_at.date().isoformat()}")
        if route.value not in self.allowed_routes:
            never = " (foreign-origin old parts never enter the domestic market)" if self.origin == "foreign" else ""
            raise RuleViolation(f"{self.origin}-origin old parts cannot go by {route.value}{never}; allowed: "
                                f"{', '.join(self.allowed_routes)}", field="route", allowed=self.allowed_routes)
        if not document_no.strip():
            raise RuleViolation("a disposal needs its customs document number", field="document_no")
        late = at > self.disposal_deadline
        self.route, self.document_no, self.disposed_at, self.disposed_by = route, document_no, at, actor
        self.note = note
        return late

    def disposed_under(self, document_no: str) -> bool:
        """Whether the recorded disposal is the one declared under this customs document."""
        return self.disposed_at is not None and bool(document_no) and self.document_no == document_no

    def cancel_disposal(self, reason: str, at: datetime, actor: str) -> None:
        """The exit declaration behind the disposal was cancelled (删单): the part awaits disposal again.

        The cancelled disposal and the reason stay in the note (old parts keep no history of their own)."""
        if self.disposed_at is None:
            raise Conflict(f"old part {self.id} is not disposed of: there is no disposal to cancel")
        if not reason.strip():
            raise RuleViolation("cancelling a disposal needs a reason", field="reason")
        was = f"{self.route.value if self.route else '?'} {self.document_no}"
        self.route, self.document_no, self.disposed_at, self.disposed_by = None, None, None, None
        self.note = f"disposal cancelled ({was}) by {actor} at {at.isoformat()}: {reason.strip()}"
