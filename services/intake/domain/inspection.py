"""Customs inspection selection by credit tier: reproducible from the declaration number."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum

from services.intake.domain.owners import CreditTier

# Defaults follow the old regime's ratios: certified <= 50 %, advanced <= 20 % of the general rate,
# dishonest >= 80 %. They are settings (INTAKE_INSPECTION_RATES), never constants in rules.
DEFAULT_RATES = {CreditTier.advanced_certified: 0.02, CreditTier.certified: 0.05, CreditTier.general: 0.10,
                 CreditTier.dishonest: 0.80, CreditTier.seriously_dishonest: 1.0}


class Method(StrEnum):
    on_site = "on_site"
    remote_video = "remote_video"


@dataclass(frozen=True)
class Selection:
    selected: bool
    rate: float
    draw: float
    tier: CreditTier
    methods: tuple[Method, ...]


def draw(declaration_no: str) -> float:
    """A number in [0, 1) derived only from the declaration number: an auditor can recompute it."""
    digest = hashlib.sha256(declaration_no.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def instructed(declaration_no: str, tier: CreditTier, rates: dict[CreditTier, float],
               method: Method | None) -> Selection:
    """What customs instructed (a customs platform is connected): selected for ``method``, or not selected; the
    tier's rate and the draw are kept for the record, they decide nothing."""
    return Selection(method is not None, rates[tier], draw(declaration_no), tier, (method,) if method else ())


def select(declaration_no: str, tier: CreditTier, rates: dict[CreditTier, float]) -> Selection:
    rate = rates[tier]
    d = draw(declaration_no)
    methods = (Method.on_site, Method.remote_video) if tier is CreditTier.advanced_certified else (Method.on_site,)
    return Selection(d < rate, rate, d, tier, methods)
