"""How repair's answers lead to its next calls (OpenAPI links). Work orders are opened by intake's events, so a
client starts from the list."""
from __future__ import annotations

from services.kit.links import Link, fan_out

WO = "/v1/work-orders/{work_order_id}"
NEXT = [("GET", WO), ("GET", f"{WO}/history"), ("POST", f"{WO}/assignment"), ("POST", f"{WO}/diagnosis/start"),
        ("POST", f"{WO}/diagnosis"), ("POST", f"{WO}/quote"), ("POST", f"{WO}/repair/start"),
        ("POST", f"{WO}/testing/start"), ("POST", f"{WO}/tests"), ("POST", f"{WO}/labour"),
        ("POST", f"{WO}/parts/requests"), ("GET", f"{WO}/parts"), ("POST", f"{WO}/complete")]
LINKS: list[Link] = [
    *fan_out(("GET", "/v1/work-orders", "200"), NEXT, "work_order_id", "$response.body#/0/id"),
    *fan_out(("GET", WO, "200"), [t for t in NEXT if t != ("GET", WO)], "work_order_id", "$response.body#/id"),
]
