"""`make demo`: while `make run` is up, drive a handful of realistic units through the public APIs."""
from __future__ import annotations

import os
import sys
import time
from typing import Any

import httpx

from services.kit.auth import issue_token
from services.kit.settings import CommonSettings, load

URLS = {name: os.environ.get(f"{name.upper()}_PUBLIC_URL", f"http://127.0.0.1:{port}")
        for name, port in (("intake", 8001), ("repair", 8002), ("dispatch", 8003))}
RUN = time.strftime("%Y%m%d%H%M%S")
UNITS = [  # (owner, serial, part, description, HS code, origin, country, value, currency, outcome)
    ("fab-shanghai-1", "ESC-22871", "0040-86372", "Electrostatic chuck, 300 mm", "8486909000", "foreign", "US",
     "42000.00", "USD", "repaired"),
    ("fab-wuxi-2", "RFG-11902", "AE-3155086", "RF generator 13.56 MHz", "8543709990", "foreign", "JP",
     "3150000", "JPY", "repaired"),
    ("oem-suzhou", "PCB-55310", "KLA-710-650046", "Inspection tool controller board", "9031410000",
     "domestic", None, "86000.00", "CNY", "beyond_repair"),
    ("fab-shanghai-1", "TMP-90311", "EBARA-ET1600", "Turbo-molecular pump", "8414100090", "foreign", "DE",
     "21500.00", "EUR", "returned_unrepaired"),
]


def headers(role: str) -> dict[str, str]:
    secret = load(CommonSettings).bondline_jwt_secret
    return {"Authorization": f"Bearer {issue_token(secret, 'demo-' + role, role)}"}


def call(client: httpx.Client, method: str, service: str, path: str, role: str, **kw: Any) -> Any:
    r = client.request(method, URLS[service] + path, headers=headers(role), **kw)
    if r.status_code >= 400:
        sys.exit(f"demo: {method} {service}{path} -> {r.status_code} {r.text}")
    return r.json()


def wait_for(what: str, fn: Any, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (found := fn()):
            return found
        time.sleep(0.3)
    sys.exit(f"demo: timed out waiting for {what}; is `make run` up?")


def main() -> None:
    with httpx.Client(timeout=15) as client:
        try:
            client.get(URLS["intake"] + "/healthz")
        except httpx.HTTPError:
            sys.exit("demo: intake is not answering; start `make run` first")
        for owner, serial, part, desc, hs, origin, country, value, ccy, outcome in UNITS:
            body = {"owner_id": owner, "serial_number": f"{serial}-{RUN}", "part_number": part,
                    "description": desc, "hs_code": hs, "origin": origin, "origin_country": country,
                    "declared_value": value, "currency": ccy, "fault_description": "fails self-test"}
            unit = call(client, "POST", "intake", "/v1/units", "intake_clerk", json=body)
            call(client, "POST", "intake", f"/v1/units/{unit['id']}/release", "intake_clerk")
            wo = wait_for("the work order", lambda: call(client, "GET", "repair", "/v1/work-orders",
                                                         "technician", params={"unit_id": unit["id"]}))[0]
            call(client, "POST", "repair", f"/v1/work-orders/{wo['id']}/complete", "technician",
                 json={"outcome": outcome, "repair_fee": "1800.00", "currency": "CNY", "labour_minutes": 150})
            cand = wait_for("dispatch", lambda: _candidate(client, unit["id"]))
            print(f"{desc:36} {origin:8} received -> work order {wo['id'][:8]} -> {outcome:19} "
                  f"-> dispatch: {cand['state']}")
    print(f"\nDispatch candidates: {URLS['dispatch']}/v1/candidates (token: make token ROLE=dispatcher)")


def _candidate(client: httpx.Client, unit_id: str) -> Any:
    r = client.get(URLS["dispatch"] + f"/v1/units/{unit_id}", headers=headers("dispatcher"))
    return r.json() if r.status_code == 200 and r.json()["state"] == "awaiting_dispatch" else None


if __name__ == "__main__":
    main()
