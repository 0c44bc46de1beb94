"""Issue 14: countries and currencies are checked by the domain with a message naming what is wrong."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from services.intake.domain.owners import CreditTier, Owner, OwnerKind
from services.intake.domain.requests import Refusal, RequestedUnit, origin_of
from services.intake.service.reference import iso_reference
from services.kit.errors import RuleViolation
from services.repair.domain.quotes import Quote

REF = iso_reference()
NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize("code, why", [
    ("XXX", "'XXX' is an ISO 4217 code but not a currency a price can be in"),
    ("XAU", "not a currency a price can be in"), ("usd", "unknown ISO 4217 currency 'usd'"),
    ("ZZZ", "unknown ISO 4217 currency 'ZZZ'"),
])
def test_currency_problems_are_named(code, why):
    assert why in (REF.currency_problem(code) or "")
    with pytest.raises(RuleViolation, match=why) as refused:
        REF.check_currency(code, "units[0].currency")
    assert refused.value.details == {"field": "units[0].currency"}
    with pytest.raises(RuleViolation, match=why):
        Quote(Decimal("1"), Decimal("0"), code, NOW, "t").check(frozenset(REF.currencies))


def test_real_currencies_and_countries_pass():
    assert REF.currency_problem("CNY") is None and REF.currency_problem("EUR") is None
    assert REF.country_problem("DE") is None and REF.country_problem("KR") is None


def test_a_long_code_is_quoted_cut_short():
    problem = REF.currency_problem("Q" * 10_000) or ""
    assert len(problem) < 400 and "10002 characters in all" in problem


def test_origin_and_owner_country():
    refusal = Refusal()
    origin_of("XX", REF, refusal)
    assert "unknown ISO 3166 country 'XX' (two capital letters" in refusal.errors[0]["reason"]
    owner = Owner(id="o", name="O", kind=OwnerKind.overseas, country="EU", credit_tier=CreditTier.general)
    with pytest.raises(RuleViolation, match="unknown ISO 3166 country 'EU'"):
        owner.check(REF)
    replace(owner, country="DE").check(REF)


def test_requested_unit_currency_goes_through_the_same_check():
    from services.intake.domain.catalogue import Catalogue, Entry
    from services.intake.domain.requests import check_units
    owner = Owner(id="o", name="O", kind=OwnerKind.overseas, country="KR", credit_tier=CreditTier.general)
    unit = RequestedUnit("SN", "PN", "8486909000", Decimal("10"), "XXX")
    refusal = Refusal()
    check_units([unit], owner, Catalogue(1, {"8486909000": Entry("8486909000", "x")}), REF, set(), refusal)
    assert refusal.errors == [{"field": "units[0].currency",
                               "reason": "'XXX' is an ISO 4217 code but not a currency a price can be in"}]
