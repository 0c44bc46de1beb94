"""ISO 3166 country and ISO 4217 currency codes (from pycountry), loaded once per process."""
from __future__ import annotations

from functools import lru_cache

import pycountry

# ISO 4217 codes that are not money anyone invoices in: no currency, testing, precious metals, bond
# market and settlement units, special drawing rights, and the fund codes beside a real currency
NOT_CURRENCIES = frozenset({
    "XXX", "XTS", "XAU", "XAG", "XPT", "XPD", "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XUA",
    "BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW",
})


@lru_cache(maxsize=1)
def countries() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


@lru_cache(maxsize=1)
def currencies() -> frozenset[str]:
    """Real currencies only: ``XXX`` (no currency) or ``XAU`` (gold) are not a price's currency."""
    return frozenset(c.alpha_3 for c in pycountry.currencies) - NOT_CURRENCIES


def check_country(code: str) -> str | None:
    """None if ``code`` is an ISO 3166-1 alpha-2 country, else what is wrong with it."""
    return None if code in countries() else f"unknown ISO 3166 country {code!r} (two capital letters, e.g. DE, CN)"


def check_currency(code: str) -> str | None:
    """None if ``code`` is a real ISO 4217 currency, else what is wrong with it."""
    if code in NOT_CURRENCIES:
        return f"{code!r} is an ISO 4217 code but not a currency a price can be in"
    if code in currencies():
        return None
    return f"unknown ISO 4217 currency {code!r} (three capital letters, e.g. USD, CNY)"
