"""The messages bondline exchanges with the customs platform, version 1.0 (``schema/customs-messages-1.0.xsd``).

Built from the public field lists of the bonded inventory list (保税核注清单) and the gate pass (核放单): a
declaration (header and lines), its amendment or cancellation (删改单), and the receipts (回执) that answer
them. On the wire each message is one XML document (``xml.py``); these are the typed form both sides use.
Codes (supervision and transport modes, gate pass types, units of measure) are reference data in
``codes.json``; the formats of the numbers customs assigns are in ``numbers.py``."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

VERSION = "1.0"
NAMESPACE = "urn:bondline:customs:messages:1.0"

XML_TEXT = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F]*$"  # what XML 1.0 can carry: no NUL, no control but tab and newline
Text = Annotated[str, Field(min_length=1, max_length=255, pattern=XML_TEXT)]
Code = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9]+$")]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217")]
Quantity = Annotated[Decimal, Field(gt=0, max_digits=19, decimal_places=5)]
Money = Annotated[Decimal, Field(ge=0, max_digits=19, decimal_places=2)]


class Direction(StrEnum):
    entry = "I"   # 进区
    exit = "E"    # 出区


class Kind(StrEnum):
    inventory_list = "inventory_list"  # 核注清单
    gate_pass = "gate_pass"            # 核放单
    amendment = "amendment"            # 修改 (删改单)
    cancellation = "cancellation"      # 撤销 (删改单)


class ReceiptKind(StrEnum):
    accepted = "accepted"            # 审核通过: carries the number customs assigned
    rejected = "rejected"            # 退单: carries the reason; correct and send again
    inspection = "inspection"        # 布控查验: carries the kind of inspection
    inspected = "inspected"          # 查验结果: passed or not
    released = "released"            # 放行
    closed = "closed"                # 结关 (the gate pass passed the gate)
    cancelled = "cancelled"          # 撤销 accepted


class InspectionKind(StrEnum):
    on_site = "on_site"
    remote_video = "remote_video"


class Line(BaseModel):
    """One line of an inventory list: an account-book item moved, in declared and legal units."""
    model_config = ConfigDict(extra="forbid")
    line_no: int = Field(ge=1, le=9999)
    book_item_no: int = Field(ge=1, description="备案序号: the item's number in the account book")
    material_no: Text = Field(description="料号: the enterprise's own material number")
    hs_code: str = Field(pattern=r"^\d{10}$")
    goods_name: Text
    specification: str = Field("", max_length=255, pattern=XML_TEXT, description="规格型号")
    declared_quantity: Quantity
    declared_unit: Code = Field(description="declared unit of measure (code list: units)")
    legal_quantity: Quantity = Field(description="in the HS code's first legal unit (法定第一计量单位)")
    legal_unit: Code
    second_quantity: Quantity | None = None
    second_unit: Code | None = None
    unit_price: Money
    total_value: Money
    currency: Currency
    origin_country: Country
    destination_country: Country
    serial_numbers: list[Text] = Field(default_factory=list, max_length=1000)


class InventoryList(BaseModel):
    """核注清单: declared for a shipment of units in (entry) or items out (exit)."""
    model_config = ConfigDict(extra="forbid")
    enterprise_list_no: Code = Field(description="the enterprise's own number for the list (企业内部编号)")
    book_no: str = Field(pattern=r"^[A-Z]\d{4}[A-Z0-9]{7}$", description="账册编号")
    direction: Direction
    supervision_mode: str = Field(pattern=r"^\d{4}$", description="监管方式, e.g. 1371 保税维修")
    transport_mode: Code = Field(description="运输方式 (code list: transport_modes)")
    customs_district: str = Field(pattern=r"^\d{4}$", description="主管海关")
    owner_code: str = Field(pattern=r"^[0-9A-Z]{10}$", description="the owner's customs registration code")
    origin_country: Country
    destination_country: Country
    lines: list[Line] = Field(min_length=1, max_length=1000)


class GatePass(BaseModel):
    """核放单: the vehicle and what it carries through the gate, bound to accepted inventory lists."""
    model_config = ConfigDict(extra="forbid")
    enterprise_pass_no: Code
    pass_type: Code = Field(description="1 declare after entry, 2 integrated, 3 second-line, 4 non-declared, "
                                        "5 gate registration, 6 empty vehicle (code list: gate_pass_types)")
    direction: Direction
    customs_district: str = Field(pattern=r"^\d{4}$")
    vehicle_no: Text
    inventory_list_nos: list[str] = Field(default_factory=list, max_length=50,
                                          description="the QD numbers customs assigned to the lists it carries")


class Message(BaseModel):
    """One message sent to the platform: exactly one of the bodies, by ``kind``."""
    model_config = ConfigDict(extra="forbid")
    version: Literal["1.0"] = "1.0"
    message_id: str = Field(pattern=r"^[0-9a-f-]{36}$")
    kind: Kind
    sender: str = Field(pattern=r"^[0-9A-Z]{10}$", description="the declaring enterprise's customs code")
    sent_at: datetime
    inventory_list: InventoryList | None = None
    gate_pass: GatePass | None = None
    refers_to: str | None = Field(None, description="amendment, cancellation: the customs number of the list")
    reason: str | None = Field(None, max_length=500, pattern=XML_TEXT, description="amendment, cancellation: why")


class Receipt(BaseModel):
    """回执: the platform's answer to a message, or a later step of what it declared."""
    model_config = ConfigDict(extra="forbid")
    version: Literal["1.0"] = "1.0"
    receipt_id: str
    message_id: str
    kind: ReceiptKind
    issued_at: datetime
    number: str | None = Field(None, description="accepted: the number customs assigned (QD..., HF...)")
    reason: str | None = None
    inspection: InspectionKind | None = None
    passed: bool | None = None
    simulated: bool = Field(False, description="true: issued by the customs simulator, not by customs")
