"""Test records after repair (procedure, measurements, pass/fail) and first-pass yield."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from services.kit.errors import RuleViolation


@dataclass(frozen=True)
class Measurement:
    name: str
    value: float
    unit: str = ""
    lower: float | None = None
    upper: float | None = None

    @property
    def within_limits(self) -> bool:
        return (self.lower is None or self.value >= self.lower) and (self.upper is None or self.value <= self.upper)


@dataclass(frozen=True)
class TestRecord:
    __test__ = False  # not a pytest class

    id: str
    work_order_id: str
    procedure: str
    measurements: tuple[Measurement, ...]
    passed: bool
    tested_at: datetime
    tested_by: str

    @classmethod
    def judge(cls, *, passed: bool | None, measurements: Iterable[Measurement], **facts: object) -> TestRecord:
        """The verdict is the technician's, but never a pass with a measurement out of its limits."""
        ms = tuple(measurements)
        if not str(facts.get("procedure", "")).strip():
            raise RuleViolation("a test record names its procedure", field="procedure")
        out = [m.name for m in ms if not m.within_limits]
        if passed is None and not ms:
            raise RuleViolation("give passed=true/false or measurements with limits", field="passed")
        if passed and out:
            raise RuleViolation(f"cannot pass: out of limits: {', '.join(out)}", field="measurements", out=out)
        verdict = passed if passed is not None else not out
        return cls(passed=verdict, measurements=ms, **facts)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Yield:
    tested: int
    passed_first_time: int

    @property
    def rate(self) -> float | None:
        return self.passed_first_time / self.tested if self.tested else None


def first_pass_yield(first_results: Iterable[bool]) -> Yield:
    """``first_results``: the verdict of each work order's first test."""
    results = list(first_results)
    return Yield(tested=len(results), passed_first_time=sum(results))
