"""`make demo`, account-book part: open the centre's book (电子账册), register its items (备案), book what the
ledger recorded before, and print per item what moved and what is on hand in legal units and value."""
from __future__ import annotations

from typing import Any

BOOK = {"book_no": "H2244B000001", "enterprise_code": "3122W60001", "enterprise_name": "Lingang Bonded Repair Centre",
        "customs_district": "2244", "valid_from": "2026-01-01", "valid_to": "2027-12-31", "cycle_days": 730}
KG = {"0040-86372": "38.5", "AE-3155086": "24", "KLA-710-650046": "3.2", "ET1600": "27", "ATM-EE-300": "1.8",
      "PCA-2200-H": "12", "PSU-77": "4.5"}  # net weight of one piece, for the HS codes whose legal unit is kg
PARTS = {"PTM-2SC-5200": ("58.00", "USD")}  # the bonded spare part; its old parts too
OLD_ONLY = {"PTM-CN-5200": "CNY"}  # a duty-paid domestic part: not bonded itself, its old parts are


def items(units: list[tuple], legal: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    """An item per unit part number (kind unit) and per old part and spare part the demo's repairs use."""
    out = []
    for _owner, _origin, desc, part, hs, value, ccy, *_ in units:
        out.append(_item("unit", part, hs, desc, "001", value, ccy, legal))
    for part, (price, ccy) in PARTS.items():
        out.append(_item("part_lot", part, "8541290000", "功率晶体管 power transistor", "007", price, ccy, legal))
        out.append(_item("old_part", part, "8541290000", "旧件 replaced power transistor", "007", "0.00", ccy, legal))
    for part, ccy in OLD_ONLY.items():
        out.append(_item("old_part", part, "8541290000", "旧件 replaced power transistor", "007", "0.00", ccy, legal))
    return out


def _item(kind: str, part: str, hs: str, name: str, unit: str, price: str, ccy: str,
          legal: dict[str, dict[str, str]]) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": kind, "material_no": part, "hs_code": hs, "goods_name": name,
                            "declared_unit": unit, "unit_price": price, "currency": ccy}
    units = legal.get(hs, {})
    for which, factor in (("first", "legal_per_declared"), ("second", "second_per_declared")):
        if units.get(which) not in (None, unit):
            body[factor] = KG.get(part, "1") if units[which] == "035" else "1"
    return body


def open_book(call: Any, client: Any, units: list[tuple]) -> None:
    from shared.contract.customs.rules import legal_units

    call(client, "POST", "dispatch", "/v1/account-book", "admin", ok=(201, 409), json=BOOK)
    for body in items(units, legal_units()):
        call(client, "POST", "dispatch", "/v1/account-book/items", "admin", ok=(201, 409), json=body)


def report(call: Any, client: Any) -> None:
    booked = call(client, "POST", "dispatch", "/v1/account-book/assign", "admin")["booked"]
    body = call(client, "GET", "dispatch", "/v1/account-book/balances", "customs_officer")
    print(f"\nAccount book {body['book_no']} per item (customs officer view; {booked} earlier lines booked now, "
          f"{body['lines_not_in_book']} not in the book):")
    for i in body["items"]:
        moved = " ".join(f"{m}={a['quantity']}" for m, a in i["moved"].items())
        print(f"  #{i['item_no']:<3} {i['kind']:8} {i['material_no']:16} {moved:50} on hand {i['on_hand']['quantity']} "
              f"({i['on_hand']['legal_quantity']} legal {i['legal_unit']}, {i['on_hand']['value']} {i['currency']})"
              f"{'' if i['balanced'] else '  ** does not balance **'}")
