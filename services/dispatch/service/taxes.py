"""Which taxes a domestic release owes, from the item and the reference tables."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.dispatch.domain.destinations import Destination, ItemKind
from services.dispatch.domain.items import DispatchItem
from services.dispatch.domain.taxes import Amount, Assessment, TaxTables, assess
from shared.contract.events.dispatch import TaxAssessment

TAXED = (Destination.domestic_release, Destination.return_to_owner)


def applies(item: DispatchItem, destination: Destination | None) -> bool:
    """Units entering the domestic market pay duty and import VAT; old parts and exports do not."""
    if item.kind is not ItemKind.unit or destination not in TAXED:
        return False
    return destination is Destination.domestic_release or item.origin == "domestic"


def assessment(item: DispatchItem, tables: TaxTables, on: date) -> Assessment:
    if item.origin == "domestic":  # a domestic unit coming home: repair fee plus the parts used
        amounts = [Amount(item.repair_fee or Decimal(0), item.repair_currency or "CNY", "repair fee")]
        amounts += [Amount(p.unit_value.amount * p.quantity, p.unit_value.currency,
                           f"part {p.part_number} x{p.quantity}") for p in item.parts_used]
        return assess("repair_value", amounts, item.hs_code or "", on, tables)
    value = Amount(item.declared_value or Decimal(0), item.currency or "CNY", "customs value")
    return assess("customs_value", [value], item.hs_code or "", on, tables)


def contract(a: Assessment) -> TaxAssessment:
    return TaxAssessment(basis=a.basis, taxable_value_cny=a.taxable_value, duty_rate=a.duty_rate, duty_cny=a.duty,
                         vat_rate=a.vat_rate, vat_cny=a.vat, total_cny=a.total, assessed_on=a.on.isoformat())
