"""Customs entry for one shipment: document numbers, supervision mode, gate pass, inspection selection."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from services.intake.domain.documents import DocumentFormats, GatePassType
from services.intake.domain.inspection import Method, Selection
from services.intake.domain.units import Origin
from services.kit.errors import Conflict, RuleViolation

BONDED_REPAIR = "1371"
REPAIR_GOODS_EXPORT = "1300"


class InspectionResult(StrEnum):
    passed = "passed"
    failed = "failed"


@dataclass
class Declaration:
    id: str
    bonded_inventory_list_no: str
    supervision_mode: str
    gate_pass_no: str
    gate_pass_type: GatePassType
    origin: Origin
    unit_ids: list[str]
    declared_at: datetime
    entry_record_list_no: str | None = None
    export_declaration_no: str | None = None
    selection: Selection | None = None
    inspection_result: InspectionResult | None = None
    inspection_method: Method | None = None
    seals: tuple[str, ...] = ()
    inspection_notes: str = ""
    version: int = 1
    selected_by: str = "bondline"  # "bondline": drawn by credit tier; "customs": as customs instructed

    def check(self, formats: DocumentFormats) -> None:
        formats.check_inventory_list(self.bonded_inventory_list_no, "I", self.declared_at)
        formats.check("gate_pass", self.gate_pass_no, "gate_pass_no")
        if self.supervision_mode != BONDED_REPAIR:
            raise RuleViolation(f"supervision mode {self.supervision_mode!r} does not fit bonded repair entry; "
                                f"use {BONDED_REPAIR}", field="supervision_mode")
        if self.origin is Origin.foreign:
            self._foreign(formats)
        else:
            self._domestic(formats)

    def _foreign(self, formats: DocumentFormats) -> None:
        if not self.entry_record_list_no:
            raise RuleViolation("foreign units need the entry record list number", field="entry_record_list_no")
        formats.check("entry_record_list", self.entry_record_list_no, "entry_record_list_no")
        if self.export_declaration_no:
            raise RuleViolation("foreign units enter without a 1300 export declaration",
                                field="export_declaration_no")

    def _domestic(self, formats: DocumentFormats) -> None:
        if not self.export_declaration_no:
            raise RuleViolation(f"domestic units need the owner's {REPAIR_GOODS_EXPORT} export declaration number",
                                field="export_declaration_no")
        formats.check("customs_declaration", self.export_declaration_no, "export_declaration_no")
        if self.entry_record_list_no:
            raise RuleViolation("domestic units have no entry record list", field="entry_record_list_no")

    def documents(self) -> dict[str, str]:
        docs = {"bonded_inventory_list": self.bonded_inventory_list_no, "supervision_mode": self.supervision_mode,
                "gate_pass": self.gate_pass_no, "gate_pass_type": self.gate_pass_type.value}
        if self.entry_record_list_no:
            docs["entry_record_list"] = self.entry_record_list_no
        if self.export_declaration_no:
            docs["export_declaration"] = f"{REPAIR_GOODS_EXPORT}:{self.export_declaration_no}"
        return docs

    def record_inspection(self, method: Method, passed: bool, seals: list[str], notes: str) -> None:
        if self.selection is None or not self.selection.selected:
            raise Conflict(f"declaration {self.id} was not selected for inspection")
        if self.inspection_result is not None:
            raise Conflict(f"declaration {self.id} was already inspected ({self.inspection_result})")
        if method not in self.selection.methods:
            raise RuleViolation(f"{method.value} inspection is not available to credit tier "
                                f"{self.selection.tier.value}", field="method")
        self.inspection_method = method
        self.inspection_result = InspectionResult.passed if passed else InspectionResult.failed
        self.seals, self.inspection_notes = tuple(seals), notes
