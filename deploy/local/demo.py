"""`make demo`: while `make run` is up, drive realistic units through the public HTTP APIs.

Covers foreign and domestic units, a customs inspection, a rejection with its return, and the hand-over
to repair and dispatch. Every customs number comes from the customs platform SIMULATOR's receipts (entry lists at
intake, exit lists at dispatch); the simulator is told the owners' credit tiers, as customs knows them.
"""
from __future__ import annotations

import os
import sys
import time
from typing import Any

import httpx

from services.kit.auth import issue_token
from services.kit.settings import CommonSettings, load


def service_urls(env: dict[str, str]) -> dict[str, str]:
    """Where each service answers, as `make run` starts it: ``<NAME>_PUBLIC_URL``, else ``<NAME>_HOST`` (a wildcard
    address means this machine) and ``<NAME>_PORT``, else the default port on 127.0.0.1."""
    urls = {}
    for name, port in (("intake", 8001), ("repair", 8002), ("dispatch", 8003), ("partners", 8004)):
        prefix = name.upper()
        host = env.get(f"{prefix}_HOST", "127.0.0.1")
        host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        urls[name] = env.get(f"{prefix}_PUBLIC_URL") or f"http://{host}:{env.get(f'{prefix}_PORT', port)}"
    return urls


URLS = service_urls(dict(os.environ))
SIMULATOR = os.environ.get("CUSTOMS_SIM_PUBLIC_URL") or f"http://127.0.0.1:{os.environ.get('CUSTOMS_SIM_PORT', '8009')}"
RUN = time.strftime("%y%m%d%H%M%S")
OWNERS: list[dict[str, Any]] = [
    {"id": "fab-sh-1", "name": "Shanghai Fab One", "kind": "overseas", "country": "SG", "group": "sgfab",
     "credit_tier": "advanced_certified", "customs_code": "9131000012",
     "contacts": [{"name": "Tan Wei", "email": "tan.wei@example.com"}]},
    {"id": "oem-sz", "name": "Suzhou Metrology OEM", "kind": "domestic", "country": "CN", "group": "szoem",
     "credit_tier": "general", "customs_code": "3205960001",
     "contacts": [{"name": "Zhang Min", "phone": "+86 512 0000 0000"}]},
    {"id": "trader-x", "name": "Trader X", "kind": "overseas", "country": "US", "group": None,
     "credit_tier": "seriously_dishonest", "customs_code": "9931000077", "contacts": []},
]
# owner, origin, description, part, HS code, value, currency, repair outcome, destination (country)
UNITS = [
    ("fab-sh-1", "US", "Electrostatic chuck, 300 mm", "0040-86372", "8486909000", "42000.00", "USD", "repaired",
     ("re_export", "DE")),
    ("fab-sh-1", "JP", "RF generator 13.56 MHz", "AE-3155086", "8543709990", "3150000", "JPY", "repaired",
     ("domestic_release", None)),
    ("oem-sz", "domestic", "Wafer inspection controller board", "KLA-710-650046", "9031410000", "86000.00", "CNY",
     "beyond_repair", ("return_to_owner", None)),
    ("fab-sh-1", "DE", "Turbo-molecular pump", "ET1600", "8414100090", "21500.00", "EUR", "returned_unrepaired",
     ("return_to_owner", None)),
    ("fab-sh-1", "KR", "Wafer handling robot end effector", "ATM-EE-300", "8486909000", "9800.00", "USD", "repaired",
     ("exchange_pool", None)),
    ("oem-sz", "domestic", "Probe card analyzer head", "PCA-2200-H", "9030820000", "64000.00", "CNY", "repaired",
     ("return_to_owner", None)),
]
REJECTED = ("trader-x", "US", "Unlabelled power supply", "PSU-77", "8486909000", "900.00", "USD")
_seq = iter(range(1, 10_000))


def headers(role: str) -> dict[str, str]:
    secret = load(CommonSettings).bondline_jwt_secret
    return {"Authorization": f"Bearer {issue_token(secret, 'demo-' + role, role)}"}


def call(client: httpx.Client, method: str, service: str, path: str, role: str, ok: tuple = (200, 201),
         **kw: Any) -> Any:
    r = client.request(method, URLS[service] + path, headers=headers(role), **kw)
    if r.status_code not in ok:
        sys.exit(f"demo: {method} {service}{path} -> {r.status_code} {r.text}")
    return r.json()


def wait_for(what: str, fn: Any, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (found := fn()):
            return found
        time.sleep(0.3)
    sys.exit(f"demo: timed out waiting for {what}; is `make run` up?")


def take_in(client: httpx.Client, owner: str, origin: str, desc: str, part: str, hs: str, value: str,
            ccy: str) -> tuple[dict, dict]:
    """Announce one unit and file its entry with customs (the entry list to the simulator); returns the unit and
    the filing once customs answered: released, or (an inspection that did not pass) the unit rejected."""
    serial = f"{part.split('-')[0]}-{RUN}-{next(_seq)}"
    unit = call(client, "POST", "intake", "/v1/repair-requests", "intake_clerk", json={
        "owner_id": owner, "origin": origin, "units": [{
            "serial_number": serial, "part_number": part, "description": desc, "hs_code": hs,
            "declared_value": value, "currency": ccy, "fault_description": "fails self-test"}]})["units"][0]
    filing = call(client, "POST", "intake", "/v1/customs/entry-filings", "intake_clerk", ok=(202,),
                  json={"unit_ids": [unit["id"]], "transport_mode": "5"})
    path, unit_path = f"/v1/customs/entry-filings/{filing['id']}", f"/v1/units/{unit['id']}"
    wait_for("customs' release of the entry list", lambda: call(client, "GET", "intake", path, "intake_clerk")[
        "state"] == "released" or call(client, "GET", "intake", unit_path, "intake_clerk")["unit"]["state"]
        == "rejected", timeout=60)
    filing = call(client, "GET", "intake", path, "intake_clerk")
    if filing["state"] == "released":
        call(client, "POST", "intake", path + "/gate-pass", "intake_clerk", ok=(202,), json={"vehicle_no": "沪B67890"})
        wait_for("the entry gate pass", lambda: call(client, "GET", "intake", path, "intake_clerk")["gate_pass_no"],
                 timeout=60)
    # customs did any inspection itself (its receipts say which and how it went): none is left for an officer to
    # record, so the declaration's "selected" (what demo_backlog reads) is false
    kind, passed = filing["inspection"], filing["state"] == "released"
    return unit, filing | {"inspection": {"selected": False, "instructed": kind, "passed": passed}}


def inspection_of(filing: dict) -> str:
    i = filing["inspection"]
    return f"inspected ({i['instructed']}, {'passed' if i['passed'] else 'failed'})" if i["instructed"] else \
        "not selected"


def control(client: httpx.Client, body: dict[str, Any]) -> None:
    """Tell the customs SIMULATOR what it plays next (its test and demo controls); the owners' credit tiers, rated by
    their customs codes as customs knows them."""
    try:
        r = client.post(SIMULATOR + "/v1/control", json=body)
    except httpx.HTTPError:
        sys.exit(f"demo: the customs simulator at {SIMULATOR} is not answering; is `make run` up?")
    if r.status_code != 200:
        sys.exit(f"demo: the customs simulator at {SIMULATOR} answered {r.status_code}; is `make run` up?")


def main() -> None:
    from deploy.local import demo_backlog, demo_book

    with httpx.Client(timeout=15) as client:
        try:
            client.get(URLS["intake"] + "/healthz")
        except httpx.HTTPError:
            sys.exit("demo: intake is not answering; start `make run` first")
        for registered in OWNERS:
            call(client, "POST", "intake", "/v1/owners", "intake_clerk", ok=(201, 409), json=registered)
            call(client, "PATCH", "intake", f"/v1/owners/{registered['id']}", "intake_clerk",  # an earlier run's
                 json={"customs_code": registered["customs_code"]})
        control(client, {"enterprises": {o["customs_code"]: o["credit_tier"] for o in OWNERS}})
        demo_book.open_book(call, client, UNITS + demo_backlog.BACKLOG + [(*REJECTED, "rejected")])
        for owner, origin, desc, part, hs, value, ccy, outcome, (destination, country) in UNITS:
            unit, filing = take_in(client, owner, origin, desc, part, hs, value, ccy)
            inspection = inspection_of(filing)
            call(client, "POST", "intake", f"/v1/units/{unit['id']}/receipt", "intake_clerk",
                 json={"serial_number": unit["serial_number"], "part_number": part, "condition_notes": "crate intact"})
            call(client, "POST", "intake", f"/v1/units/{unit['id']}/release", "intake_clerk")
            unit_id = unit["id"]
            wo = wait_for("the work order", lambda unit_id=unit_id: call(
                client, "GET", "repair", "/v1/work-orders", "technician", params={"unit_id": unit_id}))[0]
            finish_repair(client, wo, outcome)
            wait_for("dispatch", lambda unit_id=unit_id: _candidate(client, unit_id))
            where = dispatch(client, unit["id"], destination, country)
            print(f"{desc:36} {origin:8} {inspection:28} -> repair {outcome:19} -> {where}")
        reject_one(client)
        dispose_old_parts(client)
        reconcile(client)
        demo_book.report(call, client)
        owner_view(client, UNITS[0][0])
        leave_backlog(client)
    print(f"\nDispatch candidates: {URLS['dispatch']}/v1/candidates (token: make token ROLE=dispatcher)")


def leave_backlog(client: httpx.Client) -> None:
    """Units left at every stage, for the desk's backlog and the technician's bench."""
    from deploy.local import demo_backlog

    left = demo_backlog.leave(call, client, take_in, wait_for, URLS["repair"])
    print("\nLeft in progress (the desk's backlog; the repair bench: make -s token ROLE=technician):")
    for serial, where in left:
        print(f"  {serial:28} {where}")
    print(f"Repair bench: {URLS['repair']}/bench   Dispatch desk: {URLS['dispatch']}/desk")


def dispose_old_parts(client: httpx.Client) -> None:
    """Old parts are dispatch candidates too: foreign ones destroyed under supervision, domestic ones
    gate-registered."""
    for c in call(client, "GET", "dispatch", "/v1/candidates", "dispatcher", params={"kind": "old_part"}):
        item = c["item"]
        foreign = item["origin"] == "foreign"
        route = "destruction" if foreign else "gate_registration"
        call(client, "POST", "dispatch", f"/v1/items/{item['item_id']}/decision", "dispatcher",
             json={"destination": route})
        n = next(_seq)
        doc = {"supervision_mode": "0200" if foreign else "", "gate_pass_no": f"HF{RUN}{n:04d}",
               "gate_pass_type": "1" if foreign else "5",
               "bonded_inventory_list_no": f"QD2244{RUN[:2]}E{RUN[6:]}{n:03d}"}
        doc["override_reason"] = "demo: an old part's disposal is declared with the numbers customs gave on site"
        call(client, "POST", "dispatch", f"/v1/items/{item['item_id']}/exit-declaration", "dispatcher", json=doc)
        print(f"{'old part ' + (item['part_number'] or ''):36} {item['origin']:8} {'':28} -> {route.replace('_', ' ')}")


def reconcile(client: httpx.Client) -> None:
    today = time.strftime("%Y-%m-%d")
    report = call(client, "GET", "dispatch", "/v1/ledger/reconciliation", "customs_officer",
                  params={"from": "2000-01-01T00:00:00Z", "to": f"{today}T23:59:59Z"})
    print("\nBonded ledger reconciliation (customs officer view):")
    for row in report.get("categories", []):
        print(f"  {row.get('category', ''):24} " + " ".join(f"{k}={v}" for k, v in row.items()
                                                             if k not in ("category",) and v not in (0, "0", None)))


def owner_view(client: httpx.Client, owner: str) -> None:
    """What the owner sees over HTTPS with its partner token: its units and its event feed (scoped to it)."""
    secret = load(CommonSettings).bondline_jwt_secret
    as_owner = {"Authorization": f"Bearer {issue_token(secret, 'demo-partner', 'partner', owner)}"}

    def get(path: str, **params: Any) -> Any:
        r = client.get(URLS["partners"] + path, headers=as_owner, params=params)
        if r.status_code != 200:
            sys.exit(f"demo: GET partners{path} -> {r.status_code} {r.text}")
        return r.json()
    wait_for("the owner's view", lambda: get("/v1/owner/units")["units"])
    units, events, cursor = get("/v1/owner/units", limit=500)["units"], 0, None
    while True:
        page = get("/v1/owner/feed", limit=500, **({"cursor": cursor} if cursor else {}))
        events, cursor = events + len(page["events"]), page["next_cursor"]
        if not page["has_more"]:
            break
    print(f"\nOwner {owner} (make token ROLE=partner PARTNER={owner}): {len(units)} units, {events} events in its feed")
    for u in units:
        print(f"  {u['serial_number'] or u['unit_id']:24} {u['stage']:9} {u['state']}")


def reject_one(client: httpx.Client) -> None:
    control(client, {"fail_next_inspection": True})  # customs' inspection will find the markings wrong
    unit, filing = take_in(client, *REJECTED)
    final = call(client, "GET", "intake", f"/v1/units/{unit['id']}", "intake_clerk")["unit"]
    print(f"{'Unlabelled power supply':36} {'US':8} {inspection_of(filing):28} -> rejected, "
          f"return under {final['documents'].get('return_mode')}")


def file_with_customs(client: httpx.Client, item_id: str) -> str:
    """The exit filing: the inventory list to customs (the simulator under `make run`), its release, the gate pass;
    every number from customs' receipts. Returns the filing id."""
    filing = call(client, "POST", "dispatch", "/v1/customs/exit-filings", "dispatcher", ok=(202,),
                  json={"item_ids": [item_id], "transport_mode": "5"})
    path = f"/v1/customs/exit-filings/{filing['id']}"
    wait_for("customs' release",
             lambda: call(client, "GET", "dispatch", path, "dispatcher")["state"] == "released", timeout=60)
    call(client, "POST", "dispatch", path + "/gate-pass", "dispatcher", ok=(202,), json={"vehicle_no": "沪A12345"})
    wait_for("the gate pass", lambda: call(client, "GET", "dispatch", path, "dispatcher")["gate_pass_no"], timeout=60)
    return str(filing["id"])


def exit_documents(item: dict, filing_id: str) -> dict[str, str]:
    n = next(_seq)
    abroad = item["destination_country"] not in (None, "CN")
    doc = {"supervision_mode": "1371", "gate_pass_type": "2", "filing_id": filing_id}
    if abroad:
        doc["outbound_record_list_no"] = f"OR{RUN}{n:04d}"
    else:
        doc["import_declaration_no"] = f"2244{RUN}{n:02d}"
    return doc


def dispatch(client: httpx.Client, item_id: str, destination: str, country: str | None) -> str:
    """The dispatch desk: decide, declare the exit, ship and deliver (or keep it bonded in the pool)."""
    body = {"destination": destination, "destination_country": country}
    item = call(client, "POST", "dispatch", f"/v1/items/{item_id}/decision", "dispatcher", json=body)["item"]
    if destination == "exchange_pool":
        call(client, "POST", "dispatch", f"/v1/items/{item_id}/allocation", "dispatcher",
             json={"owner_id": "oem-sz", "owner_group": "szoem"})
        return "exchange pool, allocated to oem-sz"
    filing_id = file_with_customs(client, item_id)
    item = call(client, "POST", "dispatch", f"/v1/items/{item_id}/exit-declaration", "dispatcher",
                json=exit_documents(item, filing_id))["item"]
    tax = item["tax"].get("final")
    shipment = call(client, "POST", "dispatch", "/v1/shipments", "dispatcher", json={
        "carrier": "SF Express" if item["destination_country"] == "CN" else "DHL",
        "tracking_number": f"TRK{RUN}{next(_seq)}",
        "destination_country": item["destination_country"], "address": "consignee's dock", "incoterm": "DAP"})
    call(client, "POST", "dispatch", f"/v1/shipments/{shipment['id']}/items", "dispatcher", json={"item_id": item_id})
    for to in ("customs_cleared", "shipped", "delivered"):
        call(client, "POST", "dispatch", f"/v1/shipments/{shipment['id']}/transition", "dispatcher", json={"to": to})
    taxes = f", taxes CNY {tax['total_cny']}" if tax else ""
    return f"{destination} to {item['destination_country']}, delivered{taxes}"


def finish_repair(client: httpx.Client, wo: dict, outcome: str) -> None:
    from deploy.local.demo_repair import drive_work_order

    drive_work_order(client, URLS, headers, wo["id"], outcome)


def _candidate(client: httpx.Client, unit_id: str) -> Any:
    r = client.get(URLS["dispatch"] + f"/v1/items/{unit_id}", headers=headers("dispatcher"))
    return r.json() if r.status_code == 200 and r.json()["item"]["state"] == "awaiting_dispatch" else None


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[2]))
    main()
