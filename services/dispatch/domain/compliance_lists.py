"""Trade-compliance reference data (issue 19): export-control classifications, country rules per classification and
restricted-party lists. One ``ComplianceLists`` is one version: every edit makes a whole new one, with the source it
came from and that source's date. Plain Python; the operator keeps the lists current (nothing here is a constant).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from services.kit import iso
from services.kit.errors import RuleViolation

KeyKind = Literal["part_number", "hs_prefix"]
DEFAULT_THRESHOLD = 90


class Control(StrEnum):
    """What a country rule says of a classification going there."""
    allowed = "allowed"
    licence_required = "licence_required"
    prohibited = "prohibited"


@dataclass(frozen=True)
class Classification:
    """An ECCN-style code for a part number (exact) or an HS code prefix, under its controlling regime (e.g. EAR,
    EU 2021/821); ``origins``: the origin countries whose rules control it (empty: whatever the origin)."""
    key_kind: KeyKind
    key: str
    code: str
    regime: str
    description: str = ""
    origins: tuple[str, ...] = ()


@dataclass(frozen=True)
class CountryRule:
    """``country``: ISO 3166 alpha-2, or ``*`` for every country no rule of its own names."""
    classification: str
    country: str
    control: Control
    note: str = ""


@dataclass(frozen=True)
class RestrictedParty:
    """An entry of a restricted-party list (``list_name``: e.g. Entity List); ``effect``: what a true match means."""
    id: str
    list_name: str
    name: str
    aliases: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    effect: Literal["licence_required", "prohibited"] = "prohibited"


@dataclass(frozen=True)
class ListsVersion:
    version: int
    created_at: datetime
    created_by: str
    source: str
    source_date: date
    note: str


@dataclass(frozen=True)
class ComplianceLists:
    version: int = 0
    classifications: tuple[Classification, ...] = ()
    country_rules: tuple[CountryRule, ...] = ()
    parties: tuple[RestrictedParty, ...] = ()
    match_threshold: int = DEFAULT_THRESHOLD   # 0..100: the fuzzy score from which a name is a hit
    source: str = ""
    source_date: date | None = None

    def classify(self, part_number: str | None, hs_code: str | None,
                 origin_country: str | None) -> Classification | None:
        """The item's classification: its part number's if listed, else its HS code's longest listed prefix."""
        applies = [c for c in self.classifications if not c.origins or origin_country in c.origins]
        by_part = [c for c in applies if c.key_kind == "part_number" and c.key == part_number]
        by_hs = sorted((c for c in applies if c.key_kind == "hs_prefix" and hs_code and hs_code.startswith(c.key)),
                       key=lambda c: -len(c.key))
        return next(iter(by_part + by_hs), None)

    def rule(self, code: str, country: str) -> CountryRule | None:
        own = [r for r in self.country_rules if r.classification == code and r.country == country]
        every = [r for r in self.country_rules if r.classification == code and r.country == "*"]
        return next(iter(own + every), None)

    def next_version(self, edit: ListsEdit, classifications: tuple[Classification, ...] | None = None,
                     country_rules: tuple[CountryRule, ...] | None = None,
                     parties: tuple[RestrictedParty, ...] | None = None,
                     match_threshold: int | None = None) -> ComplianceLists:
        """The next version: these parts changed, the rest kept, stamped with the edit's source and date."""
        return replace(self, version=self.version + 1, source=edit.source, source_date=edit.source_date,
                       classifications=self.classifications if classifications is None else classifications,
                       country_rules=self.country_rules if country_rules is None else country_rules,
                       parties=self.parties if parties is None else parties,
                       match_threshold=self.match_threshold if match_threshold is None else match_threshold).checked()

    def checked(self) -> ComplianceLists:
        """Refuse lists that contradict themselves: a rule for an unknown classification, unknown countries, ids
        used twice, a threshold out of range."""
        if not 50 <= self.match_threshold <= 100:
            raise RuleViolation(f"match_threshold {self.match_threshold} must be 50..100", field="match_threshold")
        codes = {c.code for c in self.classifications}
        keys = [(c.key_kind, c.key) for c in self.classifications]
        _unique(keys, "classification key")
        _unique([(r.classification, r.country) for r in self.country_rules], "country rule")
        _unique([p.id for p in self.parties], "party id")
        for c in self.classifications:
            _countries(c.origins, f"classification {c.code} origins")
        for r in self.country_rules:
            if r.classification not in codes:
                raise RuleViolation(f"country rule for {r.classification!r}: no classification has that code",
                                    field="classification")
            if r.country != "*":
                _countries((r.country,), f"country rule {r.classification}")
        for p in self.parties:
            _countries(p.countries, f"party {p.id}")
        return self

    def with_classification(self, c: Classification) -> tuple[Classification, ...]:
        return (*(x for x in self.classifications if (x.key_kind, x.key) != (c.key_kind, c.key)), c)

    def without_classification(self, key_kind: str, key: str) -> tuple[Classification, ...]:
        kept = tuple(x for x in self.classifications if (x.key_kind, x.key) != (key_kind, key))
        if len(kept) == len(self.classifications):
            raise RuleViolation(f"no classification for {key_kind} {key!r}", field="key")
        return kept

    def with_rule(self, r: CountryRule) -> tuple[CountryRule, ...]:
        return (*(x for x in self.country_rules if (x.classification, x.country) != (r.classification, r.country)), r)

    def without_rule(self, code: str, country: str) -> tuple[CountryRule, ...]:
        kept = tuple(x for x in self.country_rules if (x.classification, x.country) != (code, country))
        if len(kept) == len(self.country_rules):
            raise RuleViolation(f"no country rule for {code} to {country}", field="country")
        return kept

    def with_party(self, p: RestrictedParty) -> tuple[RestrictedParty, ...]:
        return (*(x for x in self.parties if x.id != p.id), p)

    def without_party(self, party_id: str) -> tuple[RestrictedParty, ...]:
        kept = tuple(x for x in self.parties if x.id != party_id)
        if len(kept) == len(self.parties):
            raise RuleViolation(f"no restricted party {party_id!r}", field="party_id")
        return kept


@dataclass(frozen=True)
class ListsEdit:
    """Who changes the lists, from which source (e.g. a Federal Register notice) of which date, and why."""
    actor: str
    source: str
    source_date: date
    note: str = ""


def _unique(values: Sequence[object], what: str) -> None:
    seen: set[object] = set()
    for v in values:
        if v in seen:
            raise RuleViolation(f"{what} {v!r} appears twice", field=what.replace(" ", "_"))
        seen.add(v)


def _countries(codes: tuple[str, ...], where: str) -> None:
    for code in codes:
        if wrong := iso.check_country(code):
            raise RuleViolation(f"{where}: {wrong}", field="countries")
