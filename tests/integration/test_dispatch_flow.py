"""Dispatch's API on SQLite and PostgreSQL: candidates, destinations, taxes, exit declarations, shipments."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select

from services.dispatch.bootstrap import build_app
from services.dispatch.db.tables import outbox
from services.dispatch.messaging.handlers import HANDLERS
from shared.contract.events.common import Money, PartLine
from shared.contract.events.intake import OwnerRegistered, UnitReceived
from shared.contract.events.repair import WorkOrderCompleted
from shared.contract.registry import REGISTRY
from tests.support.runtime import runtime
from tests.support.stack import token

DESK, OFFICER = token("dispatcher"), token("customs_officer")
NOW = datetime.now(timezone.utc)


@pytest.fixture
async def api(db_url, monkeypatch):  # type: ignore[no-untyped-def]
    rt = runtime("dispatch", db_url, monkeypatch)
    app = build_app(rt, run_relay=False, run_consumer=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dispatch") as client:
        client.rt = rt  # type: ignore[attr-defined]
        yield client
    await rt.dispose()


async def feed(client, payload) -> None:  # type: ignore[no-untyped-def]
    ce = REGISTRY.to_event(payload, "/bondline/test")
    async with client.rt.uow() as uow:
        await HANDLERS[ce.type](uow, payload, ce)
        await uow.commit()


async def unit(client, unit_id: str, origin: str = "foreign", outcome: str = "repaired", hs: str = "8486909000",
               value: str = "42000.00", ccy: str = "USD") -> None:  # type: ignore[no-untyped-def]
    await feed(client, UnitReceived(
        unit_id=unit_id, owner_id="fab-1", serial_number=f"SN-{unit_id}", part_number="P", hs_code=hs, origin=origin,
        origin_country="KR" if origin == "foreign" else None, declared_value=Money(amount=value, currency=ccy),
        custody_location="awaiting repair", received_at=NOW, catalogue_version=1, owner_group="g1"))
    parts = [PartLine(part_number="O-RING", lot="L1", quantity=2, unit_value=Money(amount="12.50", currency="USD"),
                      origin="foreign")]
    await feed(client, WorkOrderCompleted(unit_id=unit_id, work_order_id=f"wo-{unit_id}", owner_id="fab-1",
                                          outcome=outcome, repair_fee=Money(amount="1800.00", currency="CNY"),
                                          parts_used=parts, completed_at=NOW))


async def types(client) -> list[str]:  # type: ignore[no-untyped-def]
    async with client.rt.sessions() as s:
        return [t.split(".")[-2] for t in (await s.scalars(select(outbox.c.type).order_by(outbox.c.id))).all()]


EXIT_ABROAD = {"supervision_mode": "1371", "gate_pass_no": "HF224426000000001", "gate_pass_type": "1",
               "bonded_inventory_list_no": "QD224426E000000001", "outbound_record_list_no": "OR2244260000000001"}
EXIT_HOME = {"supervision_mode": "1371", "gate_pass_no": "HF224426000000002", "gate_pass_type": "1",
             "bonded_inventory_list_no": "QD224426E000000002", "import_declaration_no": "224420260000000001"}


async def test_candidates_show_allowed_destinations_and_tax_estimates(api):
    await unit(api, "u1")
    [c] = (await api.get("/v1/candidates", headers=DESK)).json()
    by = {o["destination"]: o for o in c["allowed_destinations"]}
    assert set(by) == {"re_export", "domestic_release", "return_to_owner", "exchange_pool"}
    assert by["domestic_release"]["tax_estimate"]["basis"] == "customs_value"
    assert by["domestic_release"]["tax_estimate"]["taxable_value_cny"] == "299182.80"
    assert "tax_estimate" not in by["re_export"]
    assert (await api.get("/v1/candidates", headers=token("technician"))).status_code == 403


async def test_forbidden_destination_is_422_naming_the_rule(api):
    await unit(api, "u2", outcome="beyond_repair")
    r = await api.post("/v1/items/u2/decision", json={"destination": "re_export", "destination_country": "US"},
                       headers=DESK)
    assert r.status_code == 422 and "unrepaired_goes_back_to_owner" in r.json()["detail"]
    assert r.json()["context"]["allowed"] == ["return_to_owner"]
    r = await api.post("/v1/items/u2/decision", json={"destination": "return_to_owner"}, headers=DESK)
    assert r.status_code == 200 and r.json()["item"]["destination_country"] == "KR"


async def test_domestic_release_final_tax_at_exit_and_shipment_to_delivery(api):
    await unit(api, "u3")
    r = await api.post("/v1/items/u3/decision", json={"destination": "domestic_release"}, headers=DESK)
    assert r.status_code == 200 and r.json()["item"]["tax"]["estimate"]["total_cny"] == "38893.76"
    r = await api.post("/v1/items/u3/exit-declaration", json=EXIT_ABROAD, headers=DESK)
    assert r.status_code == 422 and "import_declaration_no" in r.json()["detail"]
    r = await api.post("/v1/items/u3/exit-declaration", json=EXIT_HOME | {"supervision_mode": "0864"}, headers=DESK)
    assert r.status_code == 422 and "use 1371" in r.json()["detail"]
    r = await api.post("/v1/items/u3/exit-declaration", json=EXIT_HOME, headers=DESK)
    assert r.status_code == 200, r.text
    item = r.json()["item"]
    assert item["state"] == "declared" and item["tax"]["final"]["vat_cny"] == "38893.76"
    s = (await api.post("/v1/shipments", headers=DESK, json={
        "carrier": "SF Express", "tracking_number": "SF1234", "destination_country": "CN",
        "address": "Pudong, Shanghai", "incoterm": "DAP"})).json()
    r = await api.post(f"/v1/shipments/{s['id']}/transition", json={"to": "customs_cleared"}, headers=DESK)
    assert r.status_code == 422 and "empty shipment" in r.json()["detail"]
    assert (await api.post(f"/v1/shipments/{s['id']}/items", json={"item_id": "u3"}, headers=DESK)).status_code == 200
    other = (await api.post("/v1/shipments", headers=DESK, json={
        "carrier": "EMS", "tracking_number": "E1", "destination_country": "CN", "address": "x",
        "incoterm": "DAP"})).json()
    r = await api.post(f"/v1/shipments/{other['id']}/items", json={"item_id": "u3"}, headers=DESK)
    assert r.status_code == 409 and "one open shipment" in r.json()["detail"]
    r = await api.post(f"/v1/shipments/{s['id']}/transition", json={"to": "shipped"}, headers=DESK)
    assert r.status_code == 409 and "next is customs_cleared" in r.json()["detail"]
    for to in ("customs_cleared", "shipped", "delivered"):
        r = await api.post(f"/v1/shipments/{s['id']}/transition", json={"to": to}, headers=DESK)
        assert r.status_code == 200 and r.json()["state"] == to
    assert r.json()["items"][0]["state"] == "delivered"
    assert await types(api) == ["awaiting_dispatch", "destination_decided", "exit_declared", "customs_cleared",
                                "shipped", "delivered"]
    ledger = (await api.get("/v1/ledger/items/u3", headers=OFFICER)).json()
    lines = ledger["lines"]
    assert not any(ledger["on_hand"].values())  # nothing of it left in bond
    assert [(line["category"], line["movement"]) for line in lines] == [
        ("units_awaiting_repair", "received"), ("units_awaiting_repair", "transferred_out"),
        ("repaired_units", "transferred_in"), ("repaired_units", "released")]
    assert lines[-1]["documents"]["import_declaration_no"] == EXIT_HOME["import_declaration_no"]


async def test_an_exit_with_no_entry_is_listed_as_an_inconsistency(api):
    await feed(api, WorkOrderCompleted(unit_id="ghost", work_order_id="wo-g", owner_id="fab-1", outcome="repaired",
                                       repair_fee=Money(amount="1", currency="CNY"), completed_at=NOW))
    await api.post("/v1/items/ghost/decision", json={"destination": "re_export", "destination_country": "US"},
                   headers=DESK)
    await api.post("/v1/items/ghost/exit-declaration", json=EXIT_ABROAD, headers=DESK)
    s = (await api.post("/v1/shipments", headers=DESK, json={
        "carrier": "DHL", "tracking_number": "G1", "destination_country": "US", "address": "x",
        "incoterm": "DAP"})).json()
    await api.post(f"/v1/shipments/{s['id']}/items", json={"item_id": "ghost"}, headers=DESK)
    await api.post(f"/v1/shipments/{s['id']}/transition", json={"to": "customs_cleared"}, headers=DESK)
    r = await api.post(f"/v1/shipments/{s['id']}/transition", json={"to": "shipped"}, headers=DESK)
    assert r.status_code == 200  # the unit is physically here; the missing entry is for customs to see
    found = (await api.get("/v1/ledger/inconsistencies", headers=OFFICER)).json()
    assert any(i["item_id"] == "ghost" for i in found["inconsistencies"]), found


async def test_re_export_to_any_country_and_shipment_country_must_match(api):
    await unit(api, "u4")
    r = await api.post("/v1/items/u4/decision", json={"destination": "re_export"}, headers=DESK)
    assert r.status_code == 422 and "destination country" in r.json()["detail"]
    r = await api.post("/v1/items/u4/decision", json={"destination": "re_export", "destination_country": "DE"},
                       headers=DESK)
    assert r.status_code == 200  # not the origin (KR): the pilot allows any country
    assert (await api.post("/v1/items/u4/exit-declaration", json=EXIT_ABROAD, headers=DESK)).status_code == 200
    s = (await api.post("/v1/shipments", headers=DESK, json={
        "carrier": "DHL", "tracking_number": "D1", "destination_country": "US", "address": "Austin",
        "incoterm": "CIP"})).json()
    r = await api.post(f"/v1/shipments/{s['id']}/items", json={"item_id": "u4"}, headers=DESK)
    assert r.status_code == 422 and "goes to DE" in r.json()["detail"]
    r = await api.post("/v1/shipments", headers=DESK, json={
        "carrier": "DHL", "tracking_number": "D2", "destination_country": "DE", "address": "Dresden",
        "incoterm": "XYZ"})
    assert r.status_code == 422 and "Incoterms" in r.json()["detail"]


async def test_exchange_pool_stays_bonded_and_is_allocated(api):
    await unit(api, "u5")
    r = await api.post("/v1/items/u5/decision", json={"destination": "exchange_pool"}, headers=DESK)
    assert r.json()["item"]["state"] == "exchange_pool"
    r = await api.post("/v1/items/u5/exit-declaration", json=EXIT_ABROAD, headers=DESK)
    assert r.status_code == 409
    await feed(api, OwnerRegistered(owner_id="fab-9", name="Fab Nine", kind="overseas", country="SG", group="g9",
                                    registered_at=NOW))
    r = await api.post("/v1/items/u5/allocation", json={"owner_id": "fab-9", "owner_group": "g9"}, headers=DESK)
    assert r.status_code == 200 and r.json()["item"]["owner_id"] == "fab-9"
    assert r.json()["item"]["state"] == "awaiting_dispatch"
    assert (await types(api))[-1] == "allocated"


async def test_domestic_unit_home_is_taxed_on_repair_value(api):
    await unit(api, "u6", origin="domestic", hs="9031410000", value="86000", ccy="CNY")
    [c] = (await api.get("/v1/candidates", headers=DESK)).json()
    by = {o["destination"]: o for o in c["allowed_destinations"]}
    assert "exchange_pool" not in by
    est = by["return_to_owner"]["tax_estimate"]
    assert est["basis"] == "repair_value" and Decimal(est["taxable_value_cny"]) == Decimal("1800.00") + Decimal(
        "178.09")


async def test_reference_tables_are_edited_by_customs_officers(api):
    r = await api.put("/v1/reference/duty-rates/8486", json={"rate": "0.01"}, headers=DESK)
    assert r.status_code == 403
    r = await api.put("/v1/reference/duty-rates/8486", json={"rate": "0.01", "description": "test"}, headers=OFFICER)
    assert r.status_code == 200 and {"hs_prefix": "8486", "rate": "0.01000", "description": "test"} in [
        {**d, "rate": str(Decimal(d["rate"]).quantize(Decimal("0.00001")))} for d in r.json()["duty_rates"]]
    r = await api.put("/v1/reference/fx-rates", json={"currency": "XXQ", "valid_from": "2026-11-20",
                                                      "cny_per_unit": "1"}, headers=OFFICER)
    assert r.status_code == 422


async def test_old_parts_are_candidates_and_foreign_ones_never_go_domestic(api):
    from shared.contract.events.repair import OldPartRecorded

    await unit(api, "u7")
    await feed(api, OldPartRecorded(unit_id="u7", old_part_id="op-1", work_order_id="wo-u7", owner_id="fab-1",
                                    part_number="ESC-OLD", quantity=1, origin="foreign",
                                    allowed_routes=["reexport_0864", "destruction_0200"],
                                    disposal_deadline=NOW, removed_at=NOW))
    [c] = (await api.get("/v1/candidates", params={"kind": "old_part"}, headers=DESK)).json()
    assert {o["destination"] for o in c["allowed_destinations"]} == {"re_export", "destruction"}
    r = await api.post("/v1/items/op-1/decision", json={"destination": "gate_registration"}, headers=DESK)
    assert r.status_code == 422 and "foreign_old_parts_never_domestic" in r.json()["detail"]
    r = await api.post("/v1/items/op-1/decision", json={"destination": "destruction"}, headers=DESK)
    assert r.status_code == 200
    doc = {"supervision_mode": "1371", "gate_pass_no": "HF224426000000009", "gate_pass_type": "1",
           "bonded_inventory_list_no": "QD224426E000000009"}
    r = await api.post("/v1/items/op-1/exit-declaration", json=doc, headers=DESK)
    assert r.status_code == 422 and "use 0200 or 0400" in r.json()["detail"]
    r = await api.post("/v1/items/op-1/exit-declaration", json=doc | {"supervision_mode": "0200"}, headers=DESK)
    assert r.status_code == 200 and r.json()["item"]["state"] == "disposed"
    lines = (await api.get("/v1/ledger/items/op-1", headers=OFFICER)).json()["lines"]
    assert [(ln["category"], ln["movement"]) for ln in lines] == [("old_parts", "received"), ("old_parts", "destroyed")]
    assert (await types(api))[-2:] == ["exit_declared", "disposed"]
