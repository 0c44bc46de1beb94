"""A repair request (pre-alert): validated as a whole, refused with a reason per field."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from services.intake.domain.catalogue import Catalogue
from services.intake.domain.codes import Reference
from services.intake.domain.owners import Owner
from services.intake.domain.units import HS_CODE, Origin
from services.kit.errors import DomainError, RuleViolation, quote


@dataclass(frozen=True)
class RequestedUnit:
    serial_number: str
    part_number: str
    hs_code: str
    declared_value: Decimal
    currency: str
    description: str = ""
    fault_description: str = ""
    warranty: bool = False
    maker_group: str | None = None  # the group whose own product this is (own-products-only entries)


@dataclass
class Refusal:
    errors: list[dict[str, str]] = field(default_factory=list)

    def add(self, where: str, reason: str) -> None:
        self.errors.append({"field": where, "reason": reason})

    def raise_if_any(self) -> None:
        if self.errors:
            raise RuleViolation(f"repair request refused: {len(self.errors)} problem(s): "
                                + "; ".join(f"{e['field']}: {e['reason']}" for e in self.errors),
                                errors=self.errors)


def origin_of(origin: str, ref: Reference, refusal: Refusal) -> tuple[Origin, str | None]:
    if origin == "domestic":
        return Origin.domestic, None
    if problem := ref.country_problem(origin):
        refusal.add("origin", f"{problem}; or 'domestic'")
    elif origin == "CN":
        refusal.add("origin", "units from the domestic area use origin 'domestic', not 'CN'")
    return Origin.foreign, origin


def check_units(units: list[RequestedUnit], owner: Owner, catalogue: Catalogue, ref: Reference,
                serials_in_zone: set[str], refusal: Refusal) -> None:
    if not units:
        refusal.add("units", "a repair request needs at least one unit")
    seen: set[str] = set()
    for i, u in enumerate(units):
        at = f"units[{i}]"
        if u.serial_number in serials_in_zone:
            refusal.add(f"{at}.serial_number", f"serial {quote(u.serial_number)} is already in the zone")
        if u.serial_number in seen:
            refusal.add(f"{at}.serial_number", f"serial {quote(u.serial_number)} appears twice in this request")
        seen.add(u.serial_number)
        if problem := ref.currency_problem(u.currency):
            refusal.add(f"{at}.currency", problem)
        if u.declared_value <= 0:
            refusal.add(f"{at}.declared_value", "declared value must be positive")
        if not HS_CODE.match(u.hs_code):
            refusal.add(f"{at}.hs_code", f"malformed HS code {quote(u.hs_code)}: 10 digits expected")
            continue
        try:
            catalogue.decide(u.hs_code, owner.group, u.maker_group)
        except DomainError as exc:
            refusal.add(f"{at}.hs_code", exc.message)
