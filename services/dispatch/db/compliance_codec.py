"""The compliance lists and holds as JSON: the stored form of a lists version (also the seed file's form,
services/dispatch/reference/compliance_lists.json) and of a hold's hit and closure."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from services.dispatch.domain.compliance_lists import (
    Classification,
    ComplianceLists,
    Control,
    CountryRule,
    RestrictedParty,
)
from services.dispatch.domain.holds import Closure, Licence
from services.dispatch.domain.screening import Hit


def lists_data(lists: ComplianceLists) -> dict[str, Any]:
    return {"match_threshold": lists.match_threshold,
            "classifications": [asdict(c) | {"origins": list(c.origins)} for c in lists.classifications],
            "country_rules": [asdict(r) | {"control": r.control.value} for r in lists.country_rules],
            "parties": [asdict(p) | {k: list(getattr(p, k)) for k in ("aliases", "addresses", "countries")}
                        for p in lists.parties]}


def lists_of(version: int, data: dict[str, Any], source: str = "", source_date: date | None = None) -> ComplianceLists:
    return ComplianceLists(
        version=version, match_threshold=int(data.get("match_threshold", 90)), source=source, source_date=source_date,
        classifications=tuple(Classification(**c | {"origins": tuple(c.get("origins", ()))})
                              for c in data.get("classifications", [])),
        country_rules=tuple(CountryRule(**r | {"control": Control(r["control"])})
                            for r in data.get("country_rules", [])),
        parties=tuple(RestrictedParty(**p | {k: tuple(p.get(k, ())) for k in ("aliases", "addresses", "countries")})
                      for p in data.get("parties", [])))


def hit_data(hit: Hit) -> dict[str, Any]:
    return asdict(hit)


def hit_of(data: dict[str, Any]) -> Hit:
    return Hit(**data)


def closure_data(c: Closure | None) -> dict[str, Any] | None:
    if c is None:
        return None
    licence = c.licence and {"number": c.licence.number, "valid_until": c.licence.valid_until.isoformat(),
                             "valid_from": c.licence.valid_from.isoformat() if c.licence.valid_from else None}
    return {"at": c.at.isoformat(), "actor": c.actor, "reason": c.reason, "basis": c.basis, "licence": licence}


def closure_of(data: dict[str, Any] | None) -> Closure | None:
    from datetime import datetime
    if not data:
        return None
    lic = data.get("licence")
    licence = Licence(lic["number"], date.fromisoformat(lic["valid_until"]),
                      date.fromisoformat(lic["valid_from"]) if lic.get("valid_from") else None) if lic else None
    return Closure(datetime.fromisoformat(data["at"]), data["actor"], data["reason"], data["basis"], licence)
