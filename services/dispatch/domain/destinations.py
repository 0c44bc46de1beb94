"""Where an item may go after repair (DOMAIN.md rule 2 and the old-parts rules). Each refusal names its rule."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.kit.errors import RuleViolation


class Destination(StrEnum):
    re_export = "re_export"                  # abroad, to any country under the pilot
    domestic_release = "domestic_release"    # into the domestic market, taxes paid
    return_to_owner = "return_to_owner"      # back to the owner (abroad or domestic)
    exchange_pool = "exchange_pool"          # stays bonded as an exchange spare
    destruction = "destruction"              # supervised destruction (old parts and scrap only)
    gate_registration = "gate_registration"  # old parts of domestic units to the domestic area


class ItemKind(StrEnum):
    unit = "unit"
    old_part = "old_part"
    scrap = "scrap"


@dataclass(frozen=True)
class Case:
    kind: ItemKind
    origin: str                 # foreign | domestic
    outcome: str | None         # repaired | beyond_repair | returned_unrepaired | rejected (units only)
    in_catalogue: bool = True


D = Destination


def _unit_rule(case: Case, d: Destination) -> str | None:
    if d in (D.destruction, D.gate_registration):
        return "no_scrapping_under_bonded_repair: units are never destroyed or dismantled; only old parts and scrap"
    if case.outcome in ("beyond_repair", "returned_unrepaired", "rejected"):
        return None if d is D.return_to_owner else \
            f"unrepaired_goes_back_to_owner: a unit {case.outcome.replace('_', ' ')} goes back to its owner"
    if case.origin == "foreign":
        return None  # abroad (any country), domestic release as a taxed import, exchange pool, owner
    if d is D.exchange_pool:
        return "exchange_pool_foreign_only: only foreign-origin units stay bonded as exchange spares"
    if d is D.re_export and not case.in_catalogue:
        return "domestic_abroad_needs_catalogue: a domestic unit goes abroad only if its HS code is in the catalogue"
    return None


def _part_rule(case: Case, d: Destination) -> str | None:
    if case.origin == "foreign":
        if d in (D.re_export, D.destruction):
            return None
        return "foreign_old_parts_never_domestic: old parts of foreign units are re-exported or destroyed"
    if d in (D.gate_registration, D.destruction):
        return None
    return "domestic_old_parts_gate_or_destroy: old parts of domestic units leave by gate registration or destruction"


def forbidding_rule(case: Case, d: Destination) -> str | None:
    """None if ``d`` is allowed for the case, else the rule that forbids it."""
    return _unit_rule(case, d) if case.kind is ItemKind.unit else _part_rule(case, d)


def allowed(case: Case) -> list[Destination]:
    return [d for d in Destination if forbidding_rule(case, d) is None]


def check(case: Case, d: Destination) -> None:
    rule = forbidding_rule(case, d)
    if rule is not None:
        name = rule.split(":")[0]
        raise RuleViolation(f"destination {d.value} is forbidden by rule {rule}", rule=name,
                            allowed=[a.value for a in allowed(case)])


def country_rule(d: Destination, given: str | None, owners: str | None) -> str | None:
    """None if ``given`` (the country the desk named, if any) fits ``d``, else the rule it contradicts.

    ``owners`` is the country a return to the owner goes to (a foreign unit's origin country, CN for a domestic one).
    A contradiction is refused, never silently overridden."""
    if d is D.re_export:
        return None if given and given != "CN" else \
            "re_export_leaves_china: re-export needs a destination country outside China"
    if given is None:
        return None
    if d is D.return_to_owner:
        return None if owners is None or given == owners else \
            f"return_to_owner_country: a return to the owner goes to the owner's country {owners}, not {given}"
    if d in (D.domestic_release, D.gate_registration):
        return None if given == "CN" else \
            f"{d.value}_stays_in_china: {d.value.replace('_', ' ')} goes to CN, not {given}"
    return f"{d.value}_stays_in_zone: {d.value.replace('_', ' ')} has no destination country (got {given})"


def country_for(d: Destination, given: str | None, owners: str | None) -> str | None:
    """The destination country of an allowed decision; RuleViolation (naming the rule) on a contradiction."""
    rule = country_rule(d, given, owners)
    if rule is not None:
        raise RuleViolation(f"destination country {given!r} contradicts rule {rule}", rule=rule.split(":")[0],
                            field="destination_country")
    if d is D.re_export:
        return given
    if d is D.return_to_owner:
        return owners or given
    return None if d in (D.exchange_pool, D.destruction) else "CN"
