"""How dispatch's answers lead to its next calls (OpenAPI links). Items arrive from intake's and repair's events,
so a client starts from the candidates."""
from __future__ import annotations

from services.kit.links import Link, fan_out

ITEM, SHIPMENT = "/v1/items/{item_id}", "/v1/shipments/{shipment_id}"
LINKS: list[Link] = [
    *fan_out(("GET", "/v1/candidates", "200"),
             [("GET", ITEM), ("POST", f"{ITEM}/decision"), ("GET", "/v1/ledger/items/{item_id}")],
             "item_id", "$response.body#/0/item_id"),
    *fan_out(("POST", f"{ITEM}/decision", "200"),
             [("POST", f"{ITEM}/exit-declaration"), ("POST", f"{ITEM}/decision/amendment"),
              ("POST", f"{ITEM}/allocation")], "item_id", "$response.body#/item_id"),
    *fan_out(("POST", f"{ITEM}/exit-declaration", "200"), [("POST", f"{ITEM}/exit-declaration/cancellation")],
             "item_id", "$response.body#/item_id"),
    *fan_out(("POST", "/v1/shipments", "201"),
             [("GET", SHIPMENT), ("POST", f"{SHIPMENT}/items"), ("POST", f"{SHIPMENT}/transition")],
             "shipment_id", "$response.body#/id"),
]
