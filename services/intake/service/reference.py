"""ISO 3166 countries and ISO 4217 currencies as intake's rules see them."""
from __future__ import annotations

from functools import lru_cache

from services.intake.domain.codes import Reference
from services.kit import iso


@lru_cache(maxsize=1)
def iso_reference() -> Reference:
    return Reference(countries=iso.countries(), currencies=iso.currencies())
