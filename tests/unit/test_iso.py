"""Country and currency codes: real ones only."""
from services.kit import iso


def test_real_currencies_pass_and_non_currencies_are_named() -> None:
    assert iso.check_currency("USD") is None and iso.check_currency("CNY") is None
    assert iso.check_currency("XAF") is None  # the Central African CFA franc is money
    assert "not a currency" in (iso.check_currency("XXX") or "")
    assert "not a currency" in (iso.check_currency("XAU") or "")
    assert "unknown ISO 4217" in (iso.check_currency("ABC") or "")
    assert "XXX" not in iso.currencies()


def test_countries() -> None:
    assert iso.check_country("DE") is None
    assert "unknown ISO 3166" in (iso.check_country("XX") or "")
