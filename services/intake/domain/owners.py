"""Equipment owners and partners, with their customs credit tier."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from typing_extensions import TypedDict

from services.intake.domain.codes import Reference
from services.kit.errors import RuleViolation, quote

CUSTOMS_CODE = re.compile(r"^[0-9A-Z]{10}$")  # 海关编码: the 10-character customs registration code


class CreditTier(StrEnum):
    """The five customs credit tiers in force since 2026-04-01 (GACC Order 282)."""
    advanced_certified = "advanced_certified"
    certified = "certified"
    general = "general"
    dishonest = "dishonest"
    seriously_dishonest = "seriously_dishonest"


class OwnerKind(StrEnum):
    overseas = "overseas"
    domestic = "domestic"


@dataclass
class Contact:
    name: str
    email: str | None = None
    phone: str | None = None


@dataclass
class Owner:
    id: str
    name: str
    kind: OwnerKind
    country: str
    credit_tier: CreditTier
    group: str | None = None
    contacts: list[Contact] = field(default_factory=list)
    version: int = 1
    customs_code: str | None = None
    """The owner's customs registration code (海关编码): entry lists name it, customs rates the owner's credit by it."""

    def change(self, changes: OwnerChanges) -> None:
        for key, value in changes.items():
            setattr(self, key, value)

    def check(self, ref: Reference) -> None:
        ref.check_country(self.country)
        if self.kind is OwnerKind.domestic and self.country != "CN":
            raise RuleViolation("a domestic owner is in CN", field="country")
        if self.customs_code is not None and not CUSTOMS_CODE.fullmatch(self.customs_code):
            raise RuleViolation(f"customs_code {quote(self.customs_code)} is not a customs registration code: 10 "
                                "capital letters or digits", field="customs_code")


class OwnerChanges(TypedDict, total=False):
    """What an update changes: only the keys given (``group`` may be cleared with None)."""
    name: str
    credit_tier: CreditTier
    group: str | None
    contacts: list[Contact]
    customs_code: str | None
