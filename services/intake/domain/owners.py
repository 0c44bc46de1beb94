"""Equipment owners and partners, with their customs credit tier."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from typing_extensions import TypedDict

from services.intake.domain.codes import Reference
from services.kit.errors import RuleViolation


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

    def change(self, changes: OwnerChanges) -> None:
        for key, value in changes.items():
            setattr(self, key, value)

    def check(self, ref: Reference) -> None:
        ref.check_country(self.country)
        if self.kind is OwnerKind.domestic and self.country != "CN":
            raise RuleViolation("a domestic owner is in CN", field="country")


class OwnerChanges(TypedDict, total=False):
    """What an update changes: only the keys given (``group`` may be cleared with None)."""
    name: str
    credit_tier: CreditTier
    group: str | None
    contacts: list[Contact]
