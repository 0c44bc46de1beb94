"""Labour entries: a clock started and stopped, or minutes booked directly."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from services.kit.errors import Conflict, RuleViolation

MAX_ENTRY_MINUTES = 24 * 60


@dataclass
class LabourEntry:
    id: str
    work_order_id: str
    technician: str
    started_at: datetime
    stopped_at: datetime | None = None
    minutes: int = 0
    note: str = ""

    @property
    def running(self) -> bool:
        return self.stopped_at is None

    @classmethod
    def booked(cls, id: str, work_order_id: str, technician: str, minutes: int, at: datetime,
               note: str = "") -> LabourEntry:
        if not 1 <= minutes <= MAX_ENTRY_MINUTES:
            raise RuleViolation(f"labour minutes must be between 1 and {MAX_ENTRY_MINUTES}", field="minutes")
        return cls(id, work_order_id, technician, at, at, minutes, note)

    @classmethod
    def start(cls, id: str, work_order_id: str, technician: str, at: datetime,
              running: LabourEntry | None, note: str = "") -> LabourEntry:
        """``running``: the technician's clock already running on this work order, if any."""
        if running is not None:
            raise Conflict(f"{technician} already has a labour clock running on work order {work_order_id} "
                           f"since {running.started_at.isoformat()}; stop it first", labour_entry=running.id)
        return cls(id, work_order_id, technician, at, note=note)

    def stop(self, at: datetime) -> int:
        if not self.running:
            raise Conflict(f"labour entry {self.id} is already stopped")
        seconds = max(0.0, (at - self.started_at).total_seconds())
        self.stopped_at, self.minutes = at, min(MAX_ENTRY_MINUTES, math.ceil(seconds / 60))
        return self.minutes
