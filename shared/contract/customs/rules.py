"""The published field rules of a message, beyond its XML structure: what customs rejects a message for.

bondline checks a message with them before it sends it; the customs simulator rejects by them. Each problem
is a sentence naming the field, the way a platform's rejection receipt reads."""
from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from shared.contract.customs import numbers
from shared.contract.customs.messages import GatePass, InventoryList, Kind, Line, Message

CODES = Path(__file__).parent / "codes.json"
CENT = Decimal("0.01")
EMPTY_VEHICLE = "6"


@cache
def codes() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CODES.read_text(encoding="utf-8"))
    return data


def _code(kind: str, value: str | None, field: str) -> list[str]:
    if value is not None and value not in codes()[kind]:
        return [f"{field} {value!r} is not in the {kind} code list"]
    return []


def check_line(line: Line, where: str) -> list[str]:
    problems = _code("units", line.declared_unit, f"{where}.declared_unit")
    problems += _code("units", line.legal_unit, f"{where}.legal_unit")
    problems += _code("units", line.second_unit, f"{where}.second_unit")
    if (line.second_quantity is None) != (line.second_unit is None):
        problems.append(f"{where}: second_quantity and second_unit go together")
    expected = (line.unit_price * line.declared_quantity).quantize(CENT, rounding=ROUND_HALF_UP)
    if line.total_value != expected:
        problems.append(f"{where}.total_value {line.total_value} is not unit_price x declared_quantity ({expected})")
    return problems


def check_inventory_list(doc: InventoryList) -> list[str]:
    problems = _code("supervision_modes", doc.supervision_mode, "supervision_mode")
    problems += _code("transport_modes", doc.transport_mode, "transport_mode")
    numbers_seen = [line.line_no for line in doc.lines]
    if numbers_seen != list(range(1, len(doc.lines) + 1)):
        problems.append(f"lines are numbered {numbers_seen}, expected 1 to {len(doc.lines)} in order")
    for line in doc.lines:
        problems += check_line(line, f"line {line.line_no}")
    return problems


def check_gate_pass(doc: GatePass) -> list[str]:
    problems = _code("gate_pass_types", doc.pass_type, "pass_type")
    if doc.pass_type == EMPTY_VEHICLE and doc.inventory_list_nos:
        problems.append("an empty-vehicle gate pass (type 6) carries no inventory list")
    if doc.pass_type != EMPTY_VEHICLE and not doc.inventory_list_nos:
        problems.append(f"a type {doc.pass_type} gate pass must name the inventory lists it carries")
    problems += [f"inventory_list_no {n!r} is not a customs inventory list number"
                 for n in doc.inventory_list_nos if not numbers.valid("inventory_list", n)]
    return problems


def _bodies(m: Message) -> list[str]:
    want = {Kind.inventory_list: ("inventory_list",), Kind.gate_pass: ("gate_pass",),
            Kind.amendment: ("inventory_list", "refers_to", "reason"), Kind.cancellation: ("refers_to", "reason")}
    needed = want[m.kind]
    problems = [f"a message of kind {m.kind.value} needs {name}" for name in needed if getattr(m, name) in (None, "")]
    extra = [name for name in ("inventory_list", "gate_pass", "refers_to") if name not in needed
             and getattr(m, name) is not None]
    problems += [f"a message of kind {m.kind.value} has no {name}" for name in extra]
    if m.refers_to is not None and not numbers.valid("inventory_list", m.refers_to):
        problems.append(f"refers_to {m.refers_to!r} is not a customs inventory list number")
    return problems


def check(m: Message) -> list[str]:
    """Every rule the message breaks; empty: customs takes it for review."""
    problems = _bodies(m)
    if m.inventory_list is not None:
        problems += check_inventory_list(m.inventory_list)
    if m.gate_pass is not None:
        problems += check_gate_pass(m.gate_pass)
    return problems


LEGAL_UNITS = Path(__file__).parent / "legal_units.json"


@cache
def legal_units() -> dict[str, dict[str, str]]:
    """HS code -> {"first": unit code, "second": unit code (some codes)}: the legal units of measure."""
    data: dict[str, dict[str, str]] = {k: v for k, v in json.loads(LEGAL_UNITS.read_text(encoding="utf-8")).items()
                                       if not k.startswith("_")}
    return data
