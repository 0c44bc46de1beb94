"""Request and response bodies of trade compliance: the lists, their edits, holds, releases, screenings."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.dispatch.domain.compliance_lists import (
    Classification,
    ComplianceLists,
    Control,
    CountryRule,
    RestrictedParty,
)
from services.dispatch.domain.holds import Hold, Licence
from services.dispatch.domain.screening import Party

COUNTRY = r"^[A-Z]{2}$"


class Source(BaseModel):
    """Where an edit comes from: every edit is a new version with its source and that source's date."""
    source: str = Field(min_length=1, max_length=500, description="e.g. 'Federal Register 2026-21345, Entity List'")
    source_date: date = Field(description="the date of the source (its publication or effective date)")
    reason: str = Field("", max_length=1000, description="why the lists change")


class ClassificationIn(BaseModel):
    key_kind: Literal["part_number", "hs_prefix"]
    key: str = Field(min_length=1, max_length=100, description="the part number (exact) or an HS code prefix")
    code: str = Field(min_length=1, max_length=40, description="ECCN-style code, e.g. 3B001")
    regime: str = Field(min_length=1, max_length=100, description="e.g. EAR, EU 2021/821")
    description: str = Field("", max_length=500)
    origins: list[str] = Field(default_factory=list, max_length=300,
                               description="origin countries whose rules control it (empty: any origin)")

    def domain(self) -> Classification:
        return Classification(self.key_kind, self.key, self.code, self.regime, self.description, tuple(self.origins))


class CountryRuleIn(BaseModel):
    classification: str = Field(min_length=1, max_length=40)
    country: str = Field(pattern=r"^([A-Z]{2}|\*)$", description="ISO 3166 alpha-2, or * for every other country")
    control: Control
    note: str = Field("", max_length=500)

    def domain(self) -> CountryRule:
        return CountryRule(self.classification, self.country, self.control, self.note)


class PartyIn(BaseModel):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    list_name: str = Field(min_length=1, max_length=100, description="e.g. Entity List")
    name: str = Field(min_length=1, max_length=500)
    aliases: list[str] = Field(default_factory=list, max_length=100)
    addresses: list[str] = Field(default_factory=list, max_length=100)
    countries: list[str] = Field(default_factory=list, max_length=300)
    effect: Literal["licence_required", "prohibited"] = "prohibited"

    def domain(self) -> RestrictedParty:
        return RestrictedParty(self.id, self.list_name, self.name, tuple(self.aliases), tuple(self.addresses),
                               tuple(self.countries), self.effect)


class ClassificationEdit(ClassificationIn, Source):
    pass


class CountryRuleEdit(CountryRuleIn, Source):
    pass


class PartyEdit(PartyIn, Source):
    pass


class ListsIn(Source):
    """The whole lists at once (e.g. imported from the regimes' publications): replaces the current version."""
    match_threshold: int = Field(90, ge=50, le=100, description="the fuzzy score (0..100) from which a name is a hit")
    classifications: list[ClassificationIn] = Field(default_factory=list, max_length=10_000)
    country_rules: list[CountryRuleIn] = Field(default_factory=list, max_length=50_000)
    parties: list[PartyIn] = Field(default_factory=list, max_length=50_000)


class ListsOut(BaseModel):
    version: int
    source: str
    source_date: date | None
    match_threshold: int
    classifications: list[ClassificationIn]
    country_rules: list[CountryRuleIn]
    parties: list[PartyIn]

    @classmethod
    def of(cls, lists: ComplianceLists) -> ListsOut:
        return cls(version=lists.version, source=lists.source, source_date=lists.source_date,
                   match_threshold=lists.match_threshold,
                   classifications=[ClassificationIn(**asdict(c)) for c in lists.classifications],
                   country_rules=[CountryRuleIn(**asdict(r)) for r in lists.country_rules],
                   parties=[PartyIn(**asdict(p)) for p in lists.parties])


class EditedOut(ListsOut):
    holds_opened: list[str] = Field(description="holds the new version opened on open decisions and shipments")
    holds_cleared: list[str] = Field(description="holds that no longer match under the new version")


class ConsigneeIn(BaseModel):
    name: str = Field(min_length=1, max_length=500, description="Chinese or Latin script")
    address: str = Field("", max_length=2000)
    country: str | None = Field(None, pattern=COUNTRY)

    def domain(self) -> Party:
        return Party(self.name, self.address, self.country)


class LicenceIn(BaseModel):
    number: str = Field(min_length=1, max_length=100)
    valid_from: date | None = None
    valid_until: date

    def domain(self) -> Licence:
        return Licence(self.number, self.valid_until, self.valid_from)


class ReleaseIn(BaseModel):
    basis: Literal["licence", "false_positive"] = Field(
        description="licence: the export is licensed (number and validity); false_positive: the party matched is "
                    "not the listed one (country rules match exactly: never a false positive)")
    reason: str = Field(min_length=1, max_length=2000, description="why it is released (audited)")
    licence: LicenceIn | None = None


class MatchedOut(BaseModel):
    """The list entry a hold matched: a country rule of a classification, or a restricted party."""
    list_name: str = Field(description="country_rules, or the restricted-party list's name")
    classification: str | None = None
    regime: str | None = None
    classified_by: str | None = Field(None, description="part_number or hs_prefix")
    classified_as: str | None = Field(None, description="the part number or HS prefix that classified the item")
    country: str | None = None
    control: str | None = None
    note: str | None = None
    entry_id: str | None = None
    name: str | None = None
    aliases: list[str] | None = None
    addresses: list[str] | None = None
    countries: list[str] | None = None
    effect: str | None = None
    score: float | None = Field(None, description="0..100: how alike the screened name was to the listed one")


class LicenceOut(BaseModel):
    number: str
    valid_from: date | None
    valid_until: date


class ClosureOut(BaseModel):
    at: datetime
    actor: str
    reason: str
    basis: Literal["licence", "false_positive", "no_longer_matches"]
    licence: LicenceOut | None


class ScreeningOut(BaseModel):
    subject: Literal["item", "shipment"]
    subject_id: str
    point: str
    list_version: int
    screened: dict[str, str | None] = Field(description="what was screened (country and goods, or the consignee)")
    hits: list[dict[str, str | float | None]] = Field(description="each hit: screen, key, control, reason")
    at: datetime
    actor: str

    @classmethod
    def of(cls, s: Any) -> ScreeningOut:
        flat = {k: (v if v is None or isinstance(v, str) else str(v)) for k, v in s.screened.items()}
        hits = [{k: h[k] for k in ("screen", "key", "control", "reason")} for h in s.hits]
        return cls(subject=s.subject, subject_id=s.subject_id, point=s.point, list_version=s.list_version,
                   screened=flat, hits=hits, at=s.at, actor=s.actor)


class HoldOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    subject: Literal["item", "shipment"]
    subject_id: str
    status: str
    screen: str
    control: str
    reason: str
    matched: MatchedOut = Field(description="the list entry that matched, as the lists' version held it")
    point: str
    list_version: int
    opened_at: datetime
    opened_by: str
    closure: ClosureOut | None = Field(description="release or clearance: who, when, why, basis, licence")

    @classmethod
    def of(cls, h: Hold) -> HoldOut:
        closure = ClosureOut(**asdict(h.closure)) if h.closure else None
        return cls(id=h.id, subject=h.subject, subject_id=h.subject_id, status=h.status.value, screen=h.hit.screen,
                   control=h.hit.control, reason=h.hit.reason, matched=MatchedOut(**h.hit.entry), point=h.point,
                   list_version=h.list_version, opened_at=h.opened_at, opened_by=h.opened_by, closure=closure)
