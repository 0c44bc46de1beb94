"""Exit declarations: the supervision mode and documents that fit each flow out of the zone."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from services.dispatch.domain.destinations import Destination, ItemKind
from services.kit.errors import RuleViolation

INVENTORY_LIST = re.compile(r"^QD\d{4}\d{2}[IE]\d{9}$")
OUTBOUND_RECORD = re.compile(r"^[A-Z0-9]{18}$")
DECLARATION = re.compile(r"^\d{18}$")
GATE_PASS = re.compile(r"^[A-Z0-9]{10,24}$")
GATE_TYPES = {"1", "2", "3", "4", "5", "6"}


@dataclass(frozen=True)
class ExitDocuments:
    supervision_mode: str
    gate_pass_no: str
    gate_pass_type: str
    bonded_inventory_list_no: str | None = None
    outbound_record_list_no: str | None = None
    import_declaration_no: str | None = None  # the domestic importer's declaration

    def numbers(self) -> dict[str, str]:
        """Document kind -> number, of the documents given (the supervision mode among them)."""
        return {k: str(v) for k, v in asdict(self).items() if v}


def modes_for(kind: ItemKind, destination: Destination, abroad: bool, return_mode: str | None) -> set[str]:
    """Supervision modes that fit the flow."""
    if return_mode:  # a unit rejected at intake goes back under its return mode
        return {return_mode}
    if kind is not ItemKind.unit:
        if destination is Destination.re_export:
            return {"0864", "0865"}
        if destination is Destination.destruction:
            return {"0200", "0400"}
        return {"gate_registration"}
    return {"1371"} if abroad or destination is not Destination.exchange_pool else set()


def check(doc: ExitDocuments, kind: ItemKind, destination: Destination, abroad: bool,
          return_mode: str | None = None, origin: str = "foreign") -> None:
    modes = modes_for(kind, destination, abroad, return_mode)
    if destination is Destination.gate_registration:
        if doc.gate_pass_type != "5":
            raise RuleViolation("gate registration needs a gate pass of type 5", field="gate_pass_type")
    elif doc.supervision_mode not in modes:
        raise RuleViolation(f"supervision mode {doc.supervision_mode!r} does not fit {destination.value} of "
                            f"{'an' if kind is ItemKind.old_part else 'a'} {kind.value.replace('_', ' ')}; "
                            f"use {' or '.join(sorted(modes))}", field="supervision_mode")
    _fmt(GATE_PASS, doc.gate_pass_no, "gate_pass_no", "10-24 letters or digits")
    if doc.gate_pass_type not in GATE_TYPES:
        raise RuleViolation("gate_pass_type must be 1 to 6", field="gate_pass_type")
    if destination is Destination.gate_registration:
        return
    _fmt(INVENTORY_LIST, doc.bonded_inventory_list_no, "bonded_inventory_list_no",
         "18 characters: QD + district(4) + year(2) + I/E + seq(9)")
    if doc.bonded_inventory_list_no and doc.bonded_inventory_list_no[8] != "E":
        raise RuleViolation("an exit needs an exit (E) inventory list", field="bonded_inventory_list_no")
    if abroad:
        _fmt(OUTBOUND_RECORD, doc.outbound_record_list_no, "outbound_record_list_no", "18 letters or digits")
    elif destination in (Destination.domestic_release, Destination.return_to_owner):
        _fmt(DECLARATION, doc.import_declaration_no, "import_declaration_no", importer_declaration(origin))


def importer_declaration(origin: str) -> str:
    """What the domestic importer declares: a domestic unit comes home as repair goods (1300 修理物品); a foreign
    unit sold domestically is a taxed import (duty and import VAT paid), never 1300."""
    if origin == "domestic":
        return "the importer's 18-digit import declaration number under 1300 (修理物品, repair goods coming home)"
    return ("the importer's 18-digit import declaration number for a taxed import (duty and import VAT paid; "
            "1300 is only for repair goods coming home)")


def _fmt(pattern: re.Pattern[str], value: str | None, field: str, what: str) -> None:
    if not value or not pattern.match(value):
        raise RuleViolation(f"{field} {value!r} is missing or malformed: {what}", field=field)
