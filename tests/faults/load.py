"""The load: one thread releases units at intake, one completes repair's work orders as they open."""
from __future__ import annotations

import threading
import time

import httpx

from tests.faults.intake_steps import Intake, release
from tests.faults.repair_steps import Repair, complete_open
from tests.support.stack import Stack


class Load:
    def __init__(self, stack: Stack, owner: str, serial_prefix: str, units: int, rate: float | None = None) -> None:
        """``rate``: units released per second at most (None: as fast as intake answers)."""
        self.stack, self.owner, self.prefix, self.units, self.rate = stack, owner, serial_prefix, units, rate
        self.unit_ids: list[str] = []
        self.slowest_s = 0.0  # the longest one unit took to release (a stalled API shows here)
        self.ended_at = 0.0   # time.monotonic() when the last unit was released (or given up)
        self.errors: list[str] = []
        self.released_all, self.stop = threading.Event(), threading.Event()
        self._threads = [threading.Thread(target=self._release_all, daemon=True),
                         threading.Thread(target=self._complete_all, daemon=True)]

    def start(self) -> Load:
        for t in self._threads:
            t.start()
        return self

    def wait_released(self, n: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while len(self.unit_ids) < n and not self.released_all.is_set() and time.monotonic() < deadline:
            time.sleep(0.1)

    def join_release(self, timeout: float) -> None:
        self._threads[0].join(timeout)

    def finish(self) -> None:
        self.stop.set()
        for t in self._threads:
            t.join(60)

    def _release_all(self) -> None:
        try:
            with httpx.Client(timeout=30) as client:
                it = Intake(client, self.stack.url("intake"), self.owner)
                it.ensure_owner()
                start = time.monotonic()
                for i in range(self.units):
                    if self.stop.wait(max(0.0, start + i / self.rate - time.monotonic()) if self.rate else 0):
                        return
                    self._release_one(it, i)
        except Exception as exc:  # noqa: BLE001
            self.errors.append(f"releaser: {exc}")
        finally:
            self.ended_at = time.monotonic()
            self.released_all.set()

    def _release_one(self, it: Intake, i: int) -> None:
        began = time.monotonic()
        try:
            self.unit_ids.append(release(it, f"{self.prefix}-{i:04d}"))
        except Exception as exc:  # noqa: BLE001 - reported in the run's outcome
            self.errors.append(f"release {i}: {exc}")
        self.slowest_s = max(self.slowest_s, time.monotonic() - began)

    def _complete_all(self) -> None:
        with httpx.Client(timeout=30) as client:
            rp = Repair(client, self.stack.url("repair"), self.owner)
            while not self.stop.is_set():
                try:
                    found = complete_open(rp)
                except Exception as exc:  # noqa: BLE001 - reported; the next sweep tries again
                    self.errors.append(f"complete: {exc}")
                    found = 0
                if not found:
                    self.stop.wait(0.3)
