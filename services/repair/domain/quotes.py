"""A quote to the owner: repair fee and parts estimate in one currency; approved, declined or skipped."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from services.kit import iso
from services.kit.errors import RuleViolation, quote


class QuoteStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    declined = "declined"
    skipped = "skipped"  # no owner approval needed: warranty or owner agreement


class SkipReason(StrEnum):
    warranty = "warranty"
    owner_agreement = "owner_agreement"


@dataclass(frozen=True)
class OwnerAgreement:
    """Repair's own reference: an owner that agreed repairs go ahead without a quote."""
    owner_id: str
    skip_quote: bool
    reference: str = ""
    note: str = ""
    version: int = 1


@dataclass(frozen=True)
class Quote:
    repair_fee: Decimal
    parts_estimate: Decimal
    currency: str
    issued_at: datetime
    issued_by: str
    status: QuoteStatus = QuoteStatus.pending
    skip_reason: SkipReason | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_note: str = ""

    def check(self, currencies: frozenset[str]) -> None:
        if self.repair_fee < 0 or self.parts_estimate < 0:
            raise RuleViolation("repair fee and parts estimate cannot be negative", field="repair_fee")
        if self.currency not in currencies:
            problem = iso.check_currency(self.currency) if len(self.currency) <= 3 else None
            raise RuleViolation(problem or f"unknown ISO 4217 currency {quote(self.currency)}", field="currency")

    @property
    def total(self) -> Decimal:
        return self.repair_fee + self.parts_estimate

    @property
    def go_ahead(self) -> bool:
        return self.status in (QuoteStatus.approved, QuoteStatus.skipped)

    def skipped(self, reason: SkipReason) -> Quote:
        return replace(self, status=QuoteStatus.skipped, skip_reason=reason)

    def decided(self, approve: bool, by: str, at: datetime, note: str) -> Quote:
        status = QuoteStatus.approved if approve else QuoteStatus.declined
        return replace(self, status=status, decided_by=by, decided_at=at, decision_note=note)


def skip_reason(warranty: bool, agreement: OwnerAgreement | None) -> SkipReason | None:
    """Why the owner need not approve, if it need not."""
    if warranty:
        return SkipReason.warranty
    if agreement is not None and agreement.skip_quote:
        return SkipReason.owner_agreement
    return None
