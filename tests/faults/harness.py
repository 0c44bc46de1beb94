"""Drive units through the three services while a fault strikes, then count from the APIs what became of them.

Used by ``python -m tests.faults`` and by tests/e2e/test_broker_loss.py.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from tests.faults.count import count
from tests.faults.load import Load
from tests.faults.observe import observe
from tests.faults.tally import Tally, finished
from tests.support.stack import NAMES, Stack

Inject = Callable[[], "list[str] | None"]
"""Strikes the fault and returns when it is over (the broker back, the service restarted, ...); notes, if any."""
FAST_GAP_CHECKS = {f"{n.upper()}_{k}": v for n in NAMES for k, v in
                   (("GAP_CHECK_INTERVAL_S", "2"), ("GAP_CHECK_GRACE_S", "5"))}


@dataclass
class Outcome:
    tally: Tally
    recover_s: float | None  # from the end of the fault until the last unit completed; None: not all did
    settle_s: float | None   # from the last unit released until the last unit completed
    load_s: float = 0.0      # how long releasing the units took
    slowest_s: float = 0.0   # the longest one unit took to release at intake
    loader_errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        took = (f"recovered {self.recover_s:.0f}s after the fault" if self.recover_s is not None
                else "NOT recovered") + f" (load {self.load_s:.0f}s, slowest release {self.slowest_s:.1f}s)"
        errors = f"; loader errors {len(self.loader_errors)}: {self.loader_errors[:3]}" if self.loader_errors else ""
        return f"{self.tally.summary()}; {took}{errors}\n  " + "\n  ".join(self.notes)


def run(stack: Stack, inject: Inject, units: int = 200, timeout: float = 240, tag: str = "F",
        rate: float | None = None, strike_at: float = 1 / 3) -> Outcome:
    """``units`` units released (at most ``rate`` a second) and completed; ``inject`` once a third of them are
    released; then wait (at most ``timeout`` s after the load) until every unit is complete everywhere, and count."""
    run_id = uuid.uuid4().hex[:6]
    load = Load(stack, f"{tag.lower()}-{run_id}", f"{tag}-{run_id}", units, rate).start()
    load_start = time.monotonic()
    try:
        load.wait_released(max(1, int(units * strike_at)), timeout)
        said = inject() or []
        fault_end = time.monotonic()
        load.join_release(timeout + 600)
        load_end = load.ended_at or time.monotonic()
        done_at = _settle(stack, load, time.monotonic() + timeout)
    finally:
        load.finish()
    with httpx.Client(timeout=60) as client:
        tally = count(client, stack, load.owner, list(load.unit_ids))
    return Outcome(tally, _since(done_at, fault_end), _since(done_at, load_end), round(load_end - load_start, 1),
                   round(load.slowest_s, 1), load.errors, said + observe(stack))


def _since(done_at: float | None, t: float) -> float | None:
    return round(done_at - t, 1) if done_at is not None else None


def _settle(stack: Stack, load: Load, deadline: float) -> float | None:
    """The moment every released unit was complete everywhere, or None by the deadline."""
    with httpx.Client(timeout=30) as client:
        while time.monotonic() < deadline:
            try:
                ids = list(load.unit_ids)
                if finished(client, stack, load.owner, ids) and count(client, stack, load.owner, ids).lost_units == 0:
                    return time.monotonic()
            except Exception:  # noqa: BLE001 - a service still recovering; look again
                pass
            time.sleep(1.0)
    return None
