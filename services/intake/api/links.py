"""How intake's answers lead to its next calls (OpenAPI links: generated clients and stateful tests follow them)."""
from __future__ import annotations

from services.kit.links import Link, fan_out

UNIT = "/v1/units/{unit_id}"
ENTRY = "/v1/customs/entry-filings"
LINKS: list[Link] = [
    *fan_out(("POST", "/v1/owners", "201"), [("GET", "/v1/owners/{owner_id}"), ("PATCH", "/v1/owners/{owner_id}")],
             "owner_id", "$response.body#/id"),
    *fan_out(("POST", "/v1/repair-requests", "201"),
             [("GET", UNIT), ("POST", f"{UNIT}/withdrawal"), ("POST", f"{UNIT}/receipt"),
              ("POST", f"{UNIT}/rejection")], "unit_id", "$response.body#/units/0/id"),
    *fan_out(("POST", "/v1/declarations", "201"),
             [("GET", "/v1/declarations/{declaration_id}"), ("POST", "/v1/declarations/{declaration_id}/inspection")],
             "declaration_id", "$response.body#/id"),
    *fan_out(("POST", "/v1/declarations", "201"), [("POST", f"{UNIT}/receipt")], "unit_id",
             "$response.body#/units/0/id"),
    *fan_out(("POST", ENTRY, "202"), [("GET", f"{ENTRY}/{{filing_id}}"), ("POST", f"{ENTRY}/{{filing_id}}/resend"),
                                      ("POST", f"{ENTRY}/{{filing_id}}/amendment"),
                                      ("POST", f"{ENTRY}/{{filing_id}}/gate-pass")], "filing_id", "$response.body#/id"),
    *fan_out(("POST", ENTRY, "202"), [("POST", f"{UNIT}/receipt")], "unit_id", "$response.body#/unit_ids/0"),
]
