"""Customs messages for tests: a valid entry inventory list and gate pass, changed field by field."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from shared.contract.customs.messages import GatePass, InventoryList, Kind, Line, Message

SENDER = "3122W60001"     # the repair centre's customs code
OWNER_CODE = "9131000012"


def line(n: int = 1, **changes: Any) -> Line:
    fields: dict[str, Any] = dict(
        line_no=n, book_item_no=n, material_no=f"AMAT-0010-{n:05d}", hs_code="8486909000",
        goods_name="射频发生器 RF generator", specification="13.56 MHz 3 kW", declared_quantity=Decimal("1"),
        declared_unit="001", legal_quantity=Decimal("1"), legal_unit="001", unit_price=Decimal("18500.00"),
        total_value=Decimal("18500.00"), currency="USD", origin_country="KR", destination_country="CN",
        serial_numbers=[f"SN-{n}"])
    return Line(**(fields | changes))


def inventory_list(lines: list[Line] | None = None, **changes: Any) -> InventoryList:
    fields: dict[str, Any] = dict(
        enterprise_list_no="BL2026000001", book_no="H2244B000001", direction="I", supervision_mode="1371",
        transport_mode="5", customs_district="2244", owner_code=OWNER_CODE, origin_country="KR",
        destination_country="CN", lines=lines or [line()])
    return InventoryList(**(fields | changes))


def message(kind: Kind = Kind.inventory_list, **changes: Any) -> Message:
    body: dict[str, Any] = {"inventory_list": inventory_list()} if kind in (Kind.inventory_list, Kind.amendment) else {}
    fields: dict[str, Any] = dict(message_id=str(uuid.uuid4()), kind=kind, sender=SENDER,
                                  sent_at=datetime(2026, 12, 3, 8, 0, tzinfo=timezone.utc)) | body
    return Message(**(fields | changes))


def gate_pass(list_nos: list[str], **changes: Any) -> Message:
    doc = GatePass(**({"enterprise_pass_no": "GP2026000001", "pass_type": "2", "direction": "I",
                       "customs_district": "2244", "vehicle_no": "沪A12345", "inventory_list_nos": list_nos} | changes))
    return message(Kind.gate_pass, gate_pass=doc)
