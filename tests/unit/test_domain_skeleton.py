"""Plain-Python domain rules: intake repair requests and release, repair work orders."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from services.intake.domain.catalogue import Catalogue, Entry
from services.intake.domain.owners import CreditTier, Owner, OwnerKind
from services.intake.domain.requests import Reference, Refusal, RequestedUnit, check_units, origin_of
from services.intake.domain.units import Origin, Unit, UnitState
from services.kit.errors import Conflict, RuleViolation

NOW = datetime(2025, 3, 1, 8, tzinfo=timezone.utc)
REF = Reference(countries=frozenset({"US", "KR", "CN"}), currencies=frozenset({"USD", "EUR", "CNY"}))
CATALOGUE = Catalogue(1, {"8486909000": Entry("8486909000", "chucks")})
OWNER = Owner(id="o-1", name="Fab", kind=OwnerKind.overseas, country="KR", credit_tier=CreditTier.general)


def requested(**overrides) -> RequestedUnit:  # type: ignore[no-untyped-def]
    fields = dict(serial_number="SN-1", part_number="PN-1", hs_code="8486909000",
                  declared_value=Decimal("100.00"), currency="USD")
    return RequestedUnit(**(fields | overrides))


def refusals(*units: RequestedUnit, in_zone: frozenset[str] = frozenset()) -> list[dict[str, str]]:
    refusal = Refusal()
    check_units(list(units), OWNER, CATALOGUE, REF, set(in_zone), refusal)
    return refusal.errors


def unit() -> Unit:
    return Unit.announce(NOW, "intake_clerk:ann", id="u-1", request_id="r-1", owner_id="o-1",
                         serial_number="SN-1", part_number="PN-1", hs_code="8486909000", origin=Origin.foreign,
                         origin_country="US", declared_value=Decimal("100.00"), currency="USD",
                         catalogue_version=1)


def test_a_valid_request_has_no_refusals():
    assert refusals(requested(), requested(serial_number="SN-2")) == []


@pytest.mark.parametrize("overrides, message", [
    ({"hs_code": "848690"}, "malformed HS code '848690': 10 digits expected"),
    ({"hs_code": "84869000001"}, "malformed HS code"),
    ({"hs_code": "8486.90.00"}, "malformed HS code"),
    ({"hs_code": "8486101000"}, "not in the repair product catalogue"),
    ({"declared_value": Decimal("0")}, "declared value must be positive"),
    ({"declared_value": Decimal("-1.00")}, "declared value must be positive"),
    ({"currency": "usd"}, "unknown ISO 4217 currency 'usd'"),
    ({"currency": "DOLLAR"}, "unknown ISO 4217 currency"),
])
def test_unit_rules_name_the_field(overrides, message):
    [error] = refusals(requested(**overrides))
    assert error["field"] == f"units[0].{next(iter(overrides))}" and message in error["reason"]


def test_serials_already_in_the_zone_or_twice_in_a_request_are_refused():
    errors = refusals(requested(serial_number="SN-9"), requested(serial_number="SN-9"), in_zone=frozenset({"SN-9"}))
    assert [e["field"] for e in errors] == ["units[0].serial_number", "units[1].serial_number",
                                            "units[1].serial_number"]
    assert "already in the zone" in errors[0]["reason"] and "appears twice" in errors[2]["reason"]


def test_refusal_raises_one_rule_violation_listing_every_problem():
    refusal = Refusal()
    check_units([requested(hs_code="1", currency="XXX")], OWNER, CATALOGUE, REF, set(), refusal)
    with pytest.raises(RuleViolation, match=r"repair request refused: 2 problem\(s\)") as exc:
        refusal.raise_if_any()
    assert len(exc.value.details["errors"]) == 2


@pytest.mark.parametrize("origin, expected, problem", [
    ("domestic", (Origin.domestic, None), None),
    ("US", (Origin.foreign, "US"), None),
    ("XX", (Origin.foreign, "XX"), "unknown ISO 3166 country 'XX'"),
    ("", (Origin.foreign, ""), "unknown ISO 3166 country"),
    ("CN", (Origin.foreign, "CN"), "use origin 'domestic'"),
])
def test_foreign_units_need_a_known_origin_country(origin, expected, problem):
    refusal = Refusal()
    assert origin_of(origin, REF, refusal) == expected
    reasons = [e["reason"] for e in refusal.errors]
    assert reasons == [] if problem is None else (len(reasons) == 1 and problem in reasons[0])
    assert all(e["field"] == "origin" for e in refusal.errors)


def test_release_only_from_received():
    u = unit()
    with pytest.raises(Conflict, match="release is allowed from received") as exc:
        u.release_to_repair(NOW, "clerk")
    assert exc.value.details == {"state": "announced", "allowed_from": ["received"]} and exc.value.status == 409
    assert u.state is UnitState.announced and u.released_at is None and len(u.history) == 1
