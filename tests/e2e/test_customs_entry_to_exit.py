"""With the customs platform SIMULATOR as a process beside the four services and the broker: a unit from pre-alert to
exit where every customs number comes from a receipt (entry list and gate pass at intake, exit list and gate pass at
dispatch), a rejected entry list corrected and resent, and an inspection instructed by customs (remote video for a
top-tier owner) holding the unit until customs releases it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.contract.customs import numbers
from tests.e2e.conftest import _databases
from tests.e2e.flow import CLERK, DESK, complete, eventually, work_order_for
from tests.support import pg
from tests.support.intake import owner_body
from tests.support.stack import ROOT, Broker, Stack, free_port, token

ADMIN = token("admin")
TOP, GENERAL = "9131000012", "9131000013"  # the owners' customs codes, as the simulator rates their credit
PART = "AMAT-0010-12345"
BOOK = {"book_no": "H2244B000001", "enterprise_code": "3122W60001", "enterprise_name": "Lingang Bonded Repair",
        "customs_district": "2244", "valid_from": "2026-01-01", "valid_to": "2027-12-31"}
ITEM = {"kind": "unit", "material_no": PART, "hs_code": "8486909000", "goods_name": "射频发生器 RF generator",
        "declared_unit": "001", "unit_price": "18500.00", "currency": "USD", "legal_per_declared": "38.5"}


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    rates = {"advanced_certified": 1, "certified": 0, "general": 0, "dishonest": 1, "seriously_dishonest": 1}
    env = {"CUSTOMS_SIM_PORT": str(port), "CUSTOMS_SIM_RELEASE_DELAY_S": "0.5", "CUSTOMS_SIM_INSPECTION_DELAY_S": "1",
           "CUSTOMS_SIM_RATES": json.dumps(rates),
           "CUSTOMS_SIM_ENTERPRISES": json.dumps({TOP: "advanced_certified", GENERAL: "general"})}
    with open(tmp_path / "customs_simulator.log", "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "services.customs_simulator"], env=os.environ | env,
                                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        eventually(lambda: _up(url), 30, "the simulator")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def _up(url: str) -> bool:
    try:
        return httpx.get(url + "/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def customs_stack(broker: Broker, simulator: str, tmp_path: Path) -> Iterator[Stack]:
    urls = _databases("postgresql")  # SQLite: the integration tier (tests/integration/test_customs_*); one stack here
    connected = {"INTAKE_CUSTOMS_PLATFORM_URL": simulator, "DISPATCH_CUSTOMS_PLATFORM_URL": simulator,
                 "INTAKE_CUSTOMS_POLL_INTERVAL_S": "0.2", "DISPATCH_CUSTOMS_POLL_INTERVAL_S": "0.2"}
    s = Stack(tmp_path, broker.bootstrap, urls, extra_env=connected)
    try:
        yield s.start()
    finally:
        s.stop()
        for url in urls.values():
            pg.drop_database(url)


def _ok(r: httpx.Response, *codes: int) -> Any:
    assert r.status_code in (codes or (200,)), f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
    return r.json()


def _entry(client: httpx.Client, intake: str, owner: str, serial: str) -> tuple[str, dict[str, Any]]:
    """Announce one unit and file its entry list; returns the unit id and the filing."""
    req = {"owner_id": owner, "origin": "KR", "units": [{"serial_number": serial, "part_number": PART,
                                                          "hs_code": "8486909000", "declared_value": "18500.00",
                                                          "currency": "USD"}]}
    unit_id = _ok(client.post(intake + "/v1/repair-requests", headers=CLERK, json=req), 201)["units"][0]["id"]
    filing = _ok(client.post(intake + "/v1/customs/entry-filings", headers=CLERK,
                             json={"unit_ids": [unit_id], "transport_mode": "5"}), 202)
    return unit_id, filing


def _when(client: httpx.Client, url: str, check: Any, what: str) -> dict[str, Any]:
    def probe() -> Any:
        body = _ok(client.get(url, headers=DESK if "/exit-filings" in url else CLERK))
        return body if check(body) else None
    found: dict[str, Any] = eventually(probe, 60, what)
    return found


def test_every_number_from_a_receipt_a_rejected_entry_resent_and_customs_inspects_a_top_tier_owner(
        customs_stack: Stack, simulator: str) -> None:
    intake, dispatch = customs_stack.url("intake"), customs_stack.url("dispatch")
    with httpx.Client(timeout=15) as client:
        _ok(client.post(dispatch + "/v1/account-book", json=BOOK, headers=ADMIN), 201)
        _ok(client.post(dispatch + "/v1/account-book/items", json=ITEM, headers=ADMIN), 201)
        for owner, tier, code in (("owner-general", "general", GENERAL), ("owner-top", "advanced_certified", TOP)):
            _ok(client.post(intake + "/v1/owners", headers=CLERK,
                            json=owner_body(owner, tier=tier) | {"customs_code": code}), 201)

        # a rejected entry list, corrected and resent: its numbers then come from customs
        _ok(client.post(simulator + "/v1/control", json={"reject_next": "申报要素不全 declaration elements missing"}))
        unit_id, filing = _entry(client, intake, "owner-general", "E2E-CUSTOMS-1")
        path = intake + f"/v1/customs/entry-filings/{filing['id']}"
        rejected = _when(client, path, lambda f: f["state"] == "rejected", "the entry list's rejection")
        assert "elements missing" in rejected["reason"]
        _ok(client.post(path + "/resend", headers=CLERK, json={}), 202)
        released = _when(client, path, lambda f: f["state"] == "released", "the entry list's release")
        qd = released["inventory_list_no"]
        assert numbers.valid("inventory_list", qd) and qd[8] == "I"
        _ok(client.post(path + "/gate-pass", headers=CLERK, json={"vehicle_no": "沪A12345"}), 202)
        hf = _when(client, path, lambda f: f["gate_pass_no"], "the entry gate pass")["gate_pass_no"]
        unit = _ok(client.get(intake + f"/v1/units/{unit_id}", headers=CLERK))["unit"]
        assert (unit["documents"]["bonded_inventory_list"], unit["documents"]["gate_pass"]) == (qd, hf)
        _ok(client.post(intake + f"/v1/units/{unit_id}/receipt", headers=CLERK,
                        json={"serial_number": "E2E-CUSTOMS-1", "part_number": PART}))
        _ok(client.post(intake + f"/v1/units/{unit_id}/release", headers=CLERK))

        # the top-tier owner's unit: customs instructs a remote video inspection; received only once released
        top_id, top = _entry(client, intake, "owner-top", "E2E-CUSTOMS-2")
        top_path = intake + f"/v1/customs/entry-filings/{top['id']}"
        inspected = _when(client, top_path, lambda f: f["inspection"], "customs' inspection instruction")
        assert inspected["inspection"] == "remote_video"
        _when(client, top_path, lambda f: f["state"] == "released", "the inspected list's release")
        top_unit = _ok(client.get(intake + f"/v1/units/{top_id}", headers=CLERK))
        assert top_unit["unit"]["state"] == "declared" and top_unit["unit"]["customs_released"]
        assert "inspected (remote_video) and released by customs" in [h["note"] for h in top_unit["history"]]

        # the first unit repaired and out: its exit list and gate pass numbered by customs too
        wo = eventually(lambda: work_order_for(client, customs_stack, unit_id), 30, "work order")
        complete(client, customs_stack, wo["id"], "repaired")
        eventually(lambda: client.get(dispatch + f"/v1/items/{unit_id}", headers=DESK).status_code == 200 and
                   client.get(dispatch + f"/v1/items/{unit_id}", headers=DESK).json()["item"]["state"]
                   == "awaiting_dispatch", 30, "the repaired unit at dispatch")
        _ok(client.post(dispatch + f"/v1/items/{unit_id}/decision", headers=DESK,
                        json={"destination": "re_export", "destination_country": "DE"}))
        exit_filing = _ok(client.post(dispatch + "/v1/customs/exit-filings", headers=DESK,
                                      json={"item_ids": [unit_id], "transport_mode": "5"}), 202)
        exit_path = dispatch + f"/v1/customs/exit-filings/{exit_filing['id']}"
        _when(client, exit_path, lambda f: f["state"] == "released", "the exit list's release")
        _ok(client.post(exit_path + "/gate-pass", headers=DESK, json={"vehicle_no": "沪A54321"}), 202)
        out = _when(client, exit_path, lambda f: f["gate_pass_no"], "the exit gate pass")
        assert out["inventory_list_no"][8] == "E" and out["inventory_list_no"] != qd
        item = _ok(client.post(dispatch + f"/v1/items/{unit_id}/exit-declaration", headers=DESK, json={
            "supervision_mode": "1371", "gate_pass_type": "2", "filing_id": exit_filing["id"],
            "outbound_record_list_no": "OR2244260000000001"}))["item"]
        assert (item["exit_documents"]["bonded_inventory_list_no"], item["exit_documents"]["gate_pass_no"]) == (
            out["inventory_list_no"], out["gate_pass_no"])
        assert not [h for h in item["history"] if h["action"] == "numbers_typed"], "nothing typed in"
        shipment = _ok(client.post(dispatch + "/v1/shipments", headers=DESK, json={
            "carrier": "DHL", "tracking_number": "T-E2E-CUSTOMS", "destination_country": "DE",
            "address": "consignee", "incoterm": "DAP"}), 200, 201)
        _ok(client.post(dispatch + f"/v1/shipments/{shipment['id']}/items", headers=DESK, json={"item_id": unit_id}))
        for to in ("customs_cleared", "shipped"):
            _ok(client.post(dispatch + f"/v1/shipments/{shipment['id']}/transition", headers=DESK, json={"to": to}))
        left = _when(client, intake + f"/v1/units/{unit_id}", lambda u: u["unit"]["state"] == "exited",
                     "intake to learn the unit left the zone")
        assert left["unit"]["documents"]["bonded_inventory_list"] == qd, "the entry's numbers stay on the record"
