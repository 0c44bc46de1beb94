"""Screening against the compliance lists: exact rules for a destination country, fuzzy matching for a party.

A ``Hit`` names what matched (the list entry, as it stood in the lists' version) and what it means (licence
required or prohibited); its ``key`` identifies the finding, so screening again finds the same hit and not a new one.
Pure functions of the lists and the facts; no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from services.dispatch.domain import party_names
from services.dispatch.domain.compliance_lists import ComplianceLists, Control, RestrictedParty

Screen = Literal["country", "party"]


@dataclass(frozen=True)
class Hit:
    screen: Screen
    key: str
    control: Literal["licence_required", "prohibited"]
    reason: str
    entry: dict[str, Any] = field(default_factory=dict)   # the list entry that matched, as the lists held it


@dataclass(frozen=True)
class Goods:
    """What an item is, for its classification."""
    part_number: str | None
    hs_code: str | None
    origin_country: str | None


@dataclass(frozen=True)
class Party:
    name: str
    address: str = ""
    country: str | None = None


def screen_country(lists: ComplianceLists, goods: Goods, country: str | None) -> list[Hit]:
    """The country rule of the goods' classification for ``country``; no classification or no rule: allowed."""
    c = lists.classify(goods.part_number, goods.hs_code, goods.origin_country)
    if c is None or country is None:
        return []
    rule = lists.rule(c.code, country)
    if rule is None or rule.control is Control.allowed:
        return []
    to = "to every country" if rule.country == "*" else f"to {country}"
    reason = (f"{c.code} ({c.regime}) {rule.control.value.replace('_', ' ')} {to}"
              + (f": {rule.note}" if rule.note else ""))
    entry = {"list_name": "country_rules", "classification": c.code, "regime": c.regime, "classified_by": c.key_kind,
             "classified_as": c.key, "country": rule.country, "control": rule.control.value, "note": rule.note}
    control: Literal["licence_required", "prohibited"] = \
        "prohibited" if rule.control is Control.prohibited else "licence_required"
    return [Hit("country", f"country:{c.code}:{country}:{control}", control, reason, entry)]


def screen_party(lists: ComplianceLists, party: Party) -> list[Hit]:
    """Every restricted party whose name or an alias scores at least the lists' threshold against the party's name,
    or whose address does against the party's address; the best match of each entry."""
    name = party_names.normalise(party.name)
    hits = []
    for p in lists.parties:
        best, on = max(((party_names.score(name, listed), n) for n, listed in _comparable(name, p)),
                       key=lambda x: x[0])
        by_address = max((party_names.address_score(party.address, a) for a in p.addresses), default=0.0)
        if best >= lists.match_threshold:
            hits.append(_party_hit(p, f"name {party.name!r} matches {on!r}", best))
        elif party.address and by_address >= lists.match_threshold:
            hits.append(_party_hit(p, f"address {party.address!r} matches a listed address", by_address))
    return hits


def _comparable(name: party_names.Name, p: RestrictedParty) -> list[tuple[str, party_names.Name]]:
    """The entry's names to compare with: a name in Chinese characters meets the entry's names in characters where
    it has any (its Latin spellings would meet every homophone), else all of them."""
    listed = [(n, party_names.normalise(n)) for n in (p.name, *p.aliases)]
    in_han = [(n, x) for n, x in listed if x.han]
    return in_han if name.han and in_han else listed


def _party_hit(p: RestrictedParty, why: str, score: float) -> Hit:
    entry = {"list_name": p.list_name, "entry_id": p.id, "name": p.name, "aliases": list(p.aliases),
             "addresses": list(p.addresses), "countries": list(p.countries), "effect": p.effect,
             "score": round(score, 1)}
    return Hit("party", f"party:{p.id}:{p.effect}", p.effect,
               f"{p.list_name} entry {p.id} ({p.name}): {why}, score {score:.0f}", entry)
