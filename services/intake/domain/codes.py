"""ISO 3166 countries and ISO 4217 currencies as intake's rules check them, with what is wrong named."""
from __future__ import annotations

from dataclasses import dataclass

from services.kit import iso
from services.kit.errors import RuleViolation, quote


@dataclass(frozen=True)
class Reference:
    """ISO code lists the rules check against (loaded by the service layer)."""
    countries: frozenset[str]
    currencies: frozenset[str]

    def country_problem(self, code: str) -> str | None:
        if code in self.countries:
            return None
        return iso.check_country(code) if len(code) <= 3 else f"unknown ISO 3166 country {quote(code)}"

    def currency_problem(self, code: str) -> str | None:
        if code in self.currencies:
            return None
        if code in iso.NOT_CURRENCIES:  # an ISO 4217 code, but no money: say so
            return iso.check_currency(code)
        return f"unknown ISO 4217 currency {quote(code)}"

    def check_country(self, code: str, field: str = "country") -> None:
        if problem := self.country_problem(code):
            raise RuleViolation(problem, field=field)

    def check_currency(self, code: str, field: str = "currency") -> None:
        if problem := self.currency_problem(code):
            raise RuleViolation(problem, field=field)
