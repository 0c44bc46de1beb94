"""ISO 3166 country and ISO 4217 currency codes (from pycountry), loaded once per process."""
from __future__ import annotations

from functools import lru_cache

import pycountry


@lru_cache(maxsize=1)
def countries() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


@lru_cache(maxsize=1)
def currencies() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)
