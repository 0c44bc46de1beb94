"""How partners' answers lead to its next calls (OpenAPI links)."""
from __future__ import annotations

from services.kit.links import Link, fan_out

EP = "/v1/webhooks/endpoints/{endpoint_id}"
LINKS: list[Link] = [
    *fan_out(("POST", "/v1/webhooks/endpoints", "201"),
             [("GET", EP), ("PATCH", EP), ("DELETE", EP), ("GET", f"{EP}/secret"), ("POST", f"{EP}/secret/rotate")],
             "endpoint_id", "$response.body#/id"),
    *fan_out(("GET", "/v1/owner/units", "200"), [("GET", "/v1/owner/units/{unit_id}")], "unit_id",
             "$response.body#/units/0/unit_id"),
    *fan_out(("GET", "/v1/webhooks/deliveries", "200"),
             [("GET", "/v1/webhooks/deliveries/{delivery_id}"),
              ("POST", "/v1/webhooks/deliveries/{delivery_id}/replay")],
             "delivery_id", "$response.body#/deliveries/0/id"),
]
