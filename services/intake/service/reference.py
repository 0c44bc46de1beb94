"""ISO 3166 countries and ISO 4217 currencies (from pycountry), loaded once."""
from __future__ import annotations

from functools import lru_cache

import pycountry

from services.intake.domain.requests import Reference


@lru_cache(maxsize=1)
def iso_reference() -> Reference:
    return Reference(countries=frozenset(c.alpha_2 for c in pycountry.countries),
                     currencies=frozenset(c.alpha_3 for c in pycountry.currencies))
