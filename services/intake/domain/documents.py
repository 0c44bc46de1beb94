"""Customs document numbers and their formats (DOMAIN.md, "Document numbers")."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import StrEnum

from services.kit.errors import RuleViolation, quote

CUSTOMS_TIME = timezone(timedelta(hours=8), "CST")  # the year on a list is the year in China

# QD + 4-digit customs district + 2-digit year + I/E + 9-digit sequence = 18 characters
INVENTORY_LIST = re.compile(r"^QD\d{4}\d{2}[IE]\d{9}$")


class GatePassType(StrEnum):
    declare_after_entry = "1"
    integrated_entry = "2"
    second_line = "3"
    non_declared = "4"
    gate_registration = "5"
    empty_vehicle = "6"


@dataclass(frozen=True)
class DocumentFormats:
    """Formats not fixed by DOMAIN.md are configurable patterns (settings)."""
    entry_record_list: str = r"^[A-Z0-9]{18}$"
    customs_declaration: str = r"^\d{18}$"
    gate_pass: str = r"^[A-Z0-9]{10,24}$"
    year_tolerance: int = 0  # years after the current one a list number may carry (clock skew at New Year)

    def check(self, kind: str, number: str, field: str) -> None:
        if not re.fullmatch(getattr(self, kind), number):  # fullmatch: '$' alone lets a newline through
            raise RuleViolation(f"{field} {quote(number)} does not match the {kind.replace('_', ' ')} format "
                                f"{getattr(self, kind)}", field=field)

    def check_inventory_list(self, number: str, direction: str, at: datetime,
                             field: str = "bonded_inventory_list_no") -> None:
        """Format, I/E position and year: a year after ``at``'s (in China, plus the tolerance) is refused."""
        check_inventory_list(number, direction, field)
        year, latest = 2000 + int(number[6:8]), at.astimezone(CUSTOMS_TIME).year + self.year_tolerance
        if year > latest:
            raise RuleViolation(f"{field} {quote(number)} carries the year {year}, after {latest}: "
                                f"positions 7-8 are the year the list was filed", field=field)


def check_inventory_list(number: str, direction: str, field: str = "bonded_inventory_list_no") -> None:
    if not INVENTORY_LIST.fullmatch(number):
        raise RuleViolation(f"{field} {quote(number)} must be 18 characters: QD + 4-digit district + 2-digit "
                            f"year + I/E + 9-digit sequence", field=field)
    if number[8] != direction:
        raise RuleViolation(f"{field} {quote(number)} is an {'entry' if number[8] == 'I' else 'exit'} list; "
                            f"this movement needs '{direction}' at position 9", field=field)
