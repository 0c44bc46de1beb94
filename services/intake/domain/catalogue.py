"""The repair product catalogue: versioned reference data deciding which HS codes may be repaired."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.kit.errors import RuleViolation


@dataclass(frozen=True)
class Entry:
    hs_code: str
    description: str
    own_products_only: bool = False


@dataclass(frozen=True)
class Prohibition:
    hs_prefix: str
    reason: str


@dataclass(frozen=True)
class Eligibility:
    hs_code: str
    catalogue_version: int
    entry: Entry


@dataclass(frozen=True)
class CatalogueVersion:
    """Who made a version of the catalogue, when and why."""
    version: int
    created_at: datetime
    created_by: str
    note: str


@dataclass
class Catalogue:
    version: int
    entries: dict[str, Entry] = field(default_factory=dict)
    prohibited: list[Prohibition] = field(default_factory=list)

    def decide(self, hs_code: str, owner_group: str | None, maker_group: str | None) -> Eligibility:
        """Eligible, or a RuleViolation naming the rule and this catalogue version."""
        where = f"(catalogue version {self.version})"
        for p in self.prohibited:
            if hs_code.startswith(p.hs_prefix):
                raise RuleViolation(f"HS code {hs_code} is prohibited: {p.reason} [rule prohibited:{p.hs_prefix}] "
                                    f"{where}", rule=f"prohibited:{p.hs_prefix}", catalogue_version=self.version)
        entry = self.entries.get(hs_code)
        if entry is None:
            raise RuleViolation(f"HS code {hs_code} is not in the repair product catalogue [rule not_in_catalogue] "
                                f"{where}", rule="not_in_catalogue", catalogue_version=self.version)
        if entry.own_products_only and (not owner_group or owner_group != maker_group):
            raise RuleViolation(f"HS code {hs_code} is eligible only for the owner group's own products "
                                f"[rule own_products_only] {where}", rule="own_products_only",
                                catalogue_version=self.version)
        return Eligibility(hs_code, self.version, entry)

    def with_entry(self, entry: Entry) -> Catalogue:
        return Catalogue(self.version + 1, {**self.entries, entry.hs_code: entry}, list(self.prohibited))

    def without_entry(self, hs_code: str) -> Catalogue:
        if hs_code not in self.entries:
            raise RuleViolation(f"HS code {hs_code} is not in catalogue version {self.version}")
        return Catalogue(self.version + 1, {k: v for k, v in self.entries.items() if k != hs_code},
                         list(self.prohibited))

    def with_prohibition(self, p: Prohibition) -> Catalogue:
        rest = [x for x in self.prohibited if x.hs_prefix != p.hs_prefix]
        return Catalogue(self.version + 1, dict(self.entries), rest + [p])
