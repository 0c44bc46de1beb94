"""Response bodies of dispatch's items, shipments and reference data (every field named and typed in the OpenAPI).

Each is read from the domain's dataclasses (``from_attributes``); where the JSON names a field otherwise than the
domain does, ``validation_alias`` names the domain's attribute. Amounts are decimals written as strings and times
ISO 8601, as the API always answered; a field the answer leaves out when it does not apply (a tax estimate where
none is owed) is absent rather than null.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from services.dispatch.api.compliance_schemas import ConsigneeIn, HoldOut
from services.dispatch.domain.destinations import Destination, ItemKind
from services.dispatch.domain.items import DispatchItem, ItemState, Origin, Outcome
from services.dispatch.domain.shipments import Shipment, ShipmentState
from services.dispatch.domain.taxes import Basis

# an audit entry's time as the domain wrote it into the item's history (isoformat, "+00:00")
AuditTime = Annotated[datetime, PlainSerializer(datetime.isoformat, return_type=str),
                      WithJsonSchema({"type": "string", "format": "date-time"})]


def _none(value: object) -> bool:
    return value is None


def absent_if_none(description: str) -> Any:
    return Field(None, exclude_if=_none, description=f"{description} (absent if none)")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class MoneyOut(Out):
    amount: Decimal
    currency: str


class PartUsedOut(Out):
    part_number: str
    lot: str | None
    quantity: int
    unit_value: MoneyOut
    origin: Origin
    hs_code: str | None


class ValueLineOut(Out):
    """An amount converted to CNY."""
    what: str
    amount: Decimal
    currency: str
    cny_per_unit: Decimal
    rate_date: date | None = Field(description="the exchange rate's valid-from date; none for CNY")
    cny: Decimal


class RateLineOut(Out):
    """The duty rate and the tariff entry it comes from."""
    what: str
    rate: Decimal


class TaxAssessmentOut(Out):
    basis: Basis
    assessed_on: date = Field(validation_alias="on", description="the day whose exchange rates were used")
    lines: list[ValueLineOut | RateLineOut]
    taxable_value_cny: Decimal = Field(validation_alias="taxable_value")
    duty_rate: Decimal
    duty_cny: Decimal = Field(validation_alias="duty")
    vat_rate: Decimal
    vat_cny: Decimal = Field(validation_alias="vat")
    total_cny: Decimal = Field(validation_alias="total")


class ItemTaxOut(Out):
    estimate: TaxAssessmentOut | None = absent_if_none("estimated when the destination was decided")
    final: TaxAssessmentOut | None = absent_if_none("assessed when the exit was declared")


class DecisionOut(Out):
    destination: Destination | None
    destination_country: str | None


class DecisionAmendedOut(Out):
    action: Literal["decision_amended"]
    at: AuditTime
    actor: str
    reason: str
    before: DecisionOut
    after: DecisionOut


class ExitCancelledOut(Out):
    action: Literal["exit_cancelled"]
    at: AuditTime
    actor: str
    reason: str
    state: ItemState = Field(description="the state the cancelled declaration had put the item in")
    documents: dict[str, str] = Field(description="the cancelled declaration's documents")


class NumbersTypedOut(Out):
    action: Literal["numbers_typed"]
    at: AuditTime
    actor: str
    reason: str = Field(description="why the numbers were typed instead of taken from customs' receipts")
    documents: dict[str, str]


HistoryEntryOut = Annotated[DecisionAmendedOut | ExitCancelledOut | NumbersTypedOut, Field(discriminator="action")]


class DispatchItemOut(Out):
    item_id: str
    kind: ItemKind
    unit_id: str
    owner_id: str
    state: ItemState
    owner_group: str | None
    serial_number: str | None
    part_number: str | None
    hs_code: str | None
    origin: Origin | None
    origin_country: str | None
    declared_value: Decimal | None
    currency: str | None
    received_at: datetime | None
    in_catalogue: bool
    own_products_only: bool
    outcome: Outcome | None
    repair_fee: Decimal | None
    repair_currency: str | None
    parts_used: list[PartUsedOut]
    return_mode: str | None
    disposal_deadline: datetime | None
    awaiting_since: datetime | None
    destination: Destination | None
    destination_country: str | None
    decided_at: datetime | None
    exit_documents: dict[str, str] = Field(description="document kind -> number, once the exit is declared")
    tax: ItemTaxOut
    history: list[HistoryEntryOut] = Field(description="amended decisions and cancelled exits: who, when, why")
    version: int


class DestinationOptionOut(Out):
    destination: Destination
    tax_estimate: TaxAssessmentOut | None = absent_if_none("the taxes owed, where the destination owes any")
    tax_estimate_error: str | None = absent_if_none("why no estimate could be made (missing reference data)")


class ItemOptionsOut(Out):
    item: DispatchItemOut
    allowed_destinations: list[DestinationOptionOut]
    compliance_holds: list[HoldOut] = Field(
        default_factory=list,
        description="open trade-compliance holds on the item or its shipment: while any is open it is neither "
                    "declared nor shipped")


class ShipmentStepOut(Out):
    at: AuditTime
    actor: str
    from_: ShipmentState = Field(serialization_alias="from")
    to: ShipmentState


class ShipmentItemOut(Out):
    item_id: str
    kind: ItemKind
    state: ItemState
    destination: Destination | None


class ShipmentOut(Out):
    id: str
    carrier: str
    tracking_number: str
    destination_country: str
    address: str
    incoterm: str
    created_at: datetime
    state: ShipmentState
    item_ids: list[str]
    history: list[ShipmentStepOut]
    version: int
    items: list[ShipmentItemOut]
    consignee: ConsigneeIn | None = Field(None, description="who receives it: screened against the party lists")
    compliance_holds: list[HoldOut] = Field(default_factory=list, description="open holds on the shipment or its "
                                            "items: while any is open it neither clears customs nor ships")

    @classmethod
    def of(cls, s: Shipment, items: list[DispatchItem]) -> ShipmentOut:
        return cls.model_validate(vars(s) | {"items": items})


class DutyRateOut(Out):
    hs_prefix: str
    rate: Decimal
    description: str


class FxRateOut(Out):
    currency: str
    valid_from: date
    cny_per_unit: Decimal


class TaxTablesOut(Out):
    duty_rates: list[DutyRateOut]
    fx_rates: list[FxRateOut]
