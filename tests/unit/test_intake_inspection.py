"""Inspection selection: reproducible from the declaration number, at the configured rate per tier."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from services.intake.domain.inspection import DEFAULT_RATES, Method, draw, select
from services.intake.domain.owners import CreditTier

numbers = st.from_regex(r"QD\d{4}\d{2}I\d{9}", fullmatch=True)
tiers = st.sampled_from(list(CreditTier))


@given(numbers, tiers)
def test_selection_is_reproducible_for_an_audit(number: str, tier: CreditTier) -> None:
    assert select(number, tier, DEFAULT_RATES) == select(number, tier, DEFAULT_RATES)
    assert 0 <= draw(number) < 1


@given(numbers, tiers)
def test_selected_exactly_when_the_draw_is_below_the_tier_rate(number: str, tier: CreditTier) -> None:
    s = select(number, tier, DEFAULT_RATES)
    assert s.selected == (draw(number) < DEFAULT_RATES[tier]) and s.rate == DEFAULT_RATES[tier]


@settings(max_examples=30, deadline=None)
@given(st.floats(min_value=0.0, max_value=1.0), st.integers(min_value=0, max_value=10**6))
def test_share_selected_matches_the_rate(rate: float, start: int) -> None:
    n = 4000
    rates = {t: rate for t in CreditTier}
    hits = sum(select(f"QD224426I{start + i:09d}", CreditTier.general, rates).selected for i in range(n))
    # binomial: 5 standard deviations (plus a little for rate 0/1) is far beyond chance
    sigma = (n * rate * (1 - rate)) ** 0.5
    assert abs(hits - n * rate) <= 5 * sigma + 1


@given(st.floats(min_value=0.0, max_value=1.0), st.floats(min_value=0.0, max_value=1.0), numbers)
def test_a_lower_rate_never_selects_what_a_higher_rate_spares(lo: float, hi: float, number: str) -> None:
    lo, hi = min(lo, hi), max(lo, hi)
    low = select(number, CreditTier.general, {t: lo for t in CreditTier}).selected
    high = select(number, CreditTier.general, {t: hi for t in CreditTier}).selected
    assert not low or high


def test_remote_video_is_offered_to_the_top_tier_only() -> None:
    assert select("QD224426I000000001", CreditTier.advanced_certified, DEFAULT_RATES).methods == (
        Method.on_site, Method.remote_video)
    for tier in set(CreditTier) - {CreditTier.advanced_certified}:
        assert select("QD224426I000000001", tier, DEFAULT_RATES).methods == (Method.on_site,)


def test_default_rates_follow_the_credit_regime() -> None:
    general = DEFAULT_RATES[CreditTier.general]
    assert DEFAULT_RATES[CreditTier.certified] <= 0.5 * general
    assert DEFAULT_RATES[CreditTier.advanced_certified] <= 0.2 * general
    assert DEFAULT_RATES[CreditTier.dishonest] >= 0.8
