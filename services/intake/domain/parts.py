"""A receipt of bonded (or duty-paid) spare parts into the zone."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from services.intake.domain.codes import Reference
from services.intake.domain.documents import DocumentFormats
from services.intake.domain.units import HS_CODE, Origin
from services.kit.errors import RuleViolation, quote


@dataclass
class PartsReceipt:
    id: str
    part_number: str
    lot: str
    quantity: int
    unit_value: Decimal
    currency: str
    hs_code: str
    origin: Origin
    received_at: datetime
    bonded: bool = True
    documents: dict[str, str] = field(default_factory=dict)

    def check(self, ref: Reference, formats: DocumentFormats) -> None:
        if self.quantity < 1:
            raise RuleViolation("quantity must be at least 1", field="quantity")
        if self.unit_value <= 0:
            raise RuleViolation("unit value must be positive", field="unit_value")
        ref.check_currency(self.currency)
        if not HS_CODE.match(self.hs_code):
            raise RuleViolation(f"malformed HS code {quote(self.hs_code)}: 10 digits expected", field="hs_code")
        if self.origin is Origin.domestic and self.bonded:
            raise RuleViolation("domestic parts are not bonded; set bonded=false", field="bonded")
        self.check_documents(formats)

    def check_documents(self, formats: DocumentFormats) -> None:
        """A bonded receipt enters on an entry (I) inventory list and a gate pass; every number given has its format."""
        inventory_list, gate_pass = self.documents.get("bonded_inventory_list"), self.documents.get("gate_pass")
        if self.bonded and not inventory_list:
            raise RuleViolation("bonded parts enter on a bonded inventory list: documents.bonded_inventory_list "
                                "is required", field="documents.bonded_inventory_list")
        if inventory_list is not None:
            formats.check_inventory_list(inventory_list, "I", self.received_at, "documents.bonded_inventory_list")
        if self.bonded and not gate_pass:
            raise RuleViolation("bonded parts cross the zone's gate on a gate pass (核放单): documents.gate_pass is "
                                "required", field="documents.gate_pass")
        if gate_pass is not None:
            formats.check("gate_pass", gate_pass, "documents.gate_pass")
