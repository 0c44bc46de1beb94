"""A diagnosis: failure codes from the configured list, findings, or no fault found."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.kit.errors import RuleViolation


@dataclass(frozen=True)
class FailureCode:
    code: str
    description: str
    active: bool = True


@dataclass(frozen=True)
class Diagnosis:
    failure_codes: tuple[str, ...]
    findings: str
    no_fault_found: bool
    diagnosed_at: datetime
    diagnosed_by: str

    def check(self, known_codes: frozenset[str]) -> None:
        """``known_codes``: the active codes of the configured list."""
        if not self.findings.strip():
            raise RuleViolation("a diagnosis needs findings", field="findings")
        if self.no_fault_found and self.failure_codes:
            raise RuleViolation("no fault found cannot carry failure codes", field="failure_codes")
        if not self.no_fault_found and not self.failure_codes:
            raise RuleViolation("give at least one failure code, or no_fault_found=true", field="failure_codes")
        if len(set(self.failure_codes)) != len(self.failure_codes):
            raise RuleViolation("a failure code is listed twice", field="failure_codes")
        unknown = sorted(set(self.failure_codes) - known_codes)
        if unknown:
            raise RuleViolation(f"unknown or inactive failure codes {unknown}; see GET /v1/failure-codes",
                                field="failure_codes", unknown=unknown)
