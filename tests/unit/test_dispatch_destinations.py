"""Destination rules as a table over every origin x outcome x catalogue case, and old parts by origin."""
from __future__ import annotations

import itertools

import pytest

from services.dispatch.domain.destinations import Case, Destination, ItemKind, allowed, check
from services.kit.errors import RuleViolation

D = Destination
ABROAD_OR_HOME_OR_POOL = {D.re_export, D.domestic_release, D.return_to_owner, D.exchange_pool}

# (origin, outcome, in catalogue) -> allowed destinations
UNIT_TABLE = {
    ("foreign", "repaired", True): ABROAD_OR_HOME_OR_POOL,
    ("foreign", "repaired", False): ABROAD_OR_HOME_OR_POOL,   # foreign units may go anywhere under the pilot
    ("domestic", "repaired", True): {D.re_export, D.domestic_release, D.return_to_owner},
    ("domestic", "repaired", False): {D.domestic_release, D.return_to_owner},
}
for origin, outcome, cat in itertools.product(("foreign", "domestic"),
                                              ("beyond_repair", "returned_unrepaired", "rejected"), (True, False)):
    UNIT_TABLE[(origin, outcome, cat)] = {D.return_to_owner}

PART_TABLE = {"foreign": {D.re_export, D.destruction}, "domestic": {D.gate_registration, D.destruction}}


@pytest.mark.parametrize("origin,outcome,in_catalogue", sorted(UNIT_TABLE))
@pytest.mark.parametrize("destination", list(Destination))
def test_unit_destinations(origin: str, outcome: str, in_catalogue: bool, destination: Destination) -> None:
    case = Case(ItemKind.unit, origin, outcome, in_catalogue)
    expected = UNIT_TABLE[(origin, outcome, in_catalogue)]
    assert set(allowed(case)) == expected
    if destination in expected:
        check(case, destination)
    else:
        with pytest.raises(RuleViolation, match="forbidden by rule") as err:
            check(case, destination)
        assert err.value.details["rule"] and set(err.value.details["allowed"]) == {d.value for d in expected}


@pytest.mark.parametrize("kind", [ItemKind.old_part, ItemKind.scrap])
@pytest.mark.parametrize("origin", ["foreign", "domestic"])
@pytest.mark.parametrize("destination", list(Destination))
def test_old_part_and_scrap_destinations(kind: ItemKind, origin: str, destination: Destination) -> None:
    case = Case(kind, origin, None)
    assert set(allowed(case)) == PART_TABLE[origin]
    if destination not in PART_TABLE[origin]:
        with pytest.raises(RuleViolation):
            check(case, destination)


def test_the_rules_are_named() -> None:
    with pytest.raises(RuleViolation, match="no_scrapping_under_bonded_repair"):
        check(Case(ItemKind.unit, "foreign", "repaired"), D.destruction)
    with pytest.raises(RuleViolation, match="foreign_old_parts_never_domestic"):
        check(Case(ItemKind.old_part, "foreign", None), D.gate_registration)
    with pytest.raises(RuleViolation, match="domestic_abroad_needs_catalogue"):
        check(Case(ItemKind.unit, "domestic", "repaired", in_catalogue=False), D.re_export)
    with pytest.raises(RuleViolation, match="unrepaired_goes_back_to_owner"):
        check(Case(ItemKind.unit, "foreign", "beyond_repair"), D.re_export)
