"""Trade compliance through dispatch's API on SQLite and PostgreSQL (issue 19): screening at the decision, the
consignee and the declaration; holds that refuse the declaration and the shipment with 409; release by the
compliance officer only (a licence where one is required); the lists edited by an admin, each edit a new version
that re-screens open decisions; every screening audited, every hold and release published."""
from __future__ import annotations

from shared.contract.events.common import Money
from shared.contract.events.intake import UnitReceived
from shared.contract.events.repair import WorkOrderCompleted
from tests.integration.test_dispatch_flow import DESK, EXIT_ABROAD, NOW, OFFICER, api, feed, types  # noqa: F401
from tests.support.stack import token

COMPLIANCE, ADMIN = token("compliance_officer"), token("admin")
LICENCE = {"number": "D1234567", "valid_from": "2026-01-01", "valid_until": "2099-12-31"}
SOURCE = {"source": "Federal Register 2026-99999", "source_date": "2026-12-01", "reason": "test edit"}


async def us_unit(client, unit_id: str) -> None:  # type: ignore[no-untyped-def]
    """A repaired US-origin part of a semiconductor tool (HS 8486.90: 3B991 in the seeded lists)."""
    await feed(client, UnitReceived(
        unit_id=unit_id, owner_id="fab-1", serial_number=f"SN-{unit_id}", part_number="0040-86372",
        hs_code="8486909000", origin="foreign", origin_country="US",
        declared_value=Money(amount="42000.00", currency="USD"), custody_location="awaiting repair", received_at=NOW,
        catalogue_version=1, owner_group="g1"))
    await feed(client, WorkOrderCompleted(unit_id=unit_id, work_order_id=f"wo-{unit_id}", owner_id="fab-1",
                                          outcome="repaired", repair_fee=Money(amount="1800.00", currency="CNY"),
                                          parts_used=[], completed_at=NOW))


async def decide(client, unit_id: str, country: str) -> dict:  # type: ignore[no-untyped-def]
    r = await client.post(f"/v1/items/{unit_id}/decision", json={"destination": "re_export",
                                                                 "destination_country": country}, headers=DESK)
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_licence_hold_refuses_the_declaration_until_the_compliance_officer_releases_it(api):
    await us_unit(api, "c1")
    body = await decide(api, "c1", "HK")
    [hold] = body["compliance_holds"]
    assert (hold["status"], hold["control"], hold["matched"]["classification"]) == ("open", "licence_required",
                                                                                    "3B991")
    r = await api.post("/v1/items/c1/exit-declaration", json=EXIT_ABROAD, headers=DESK)
    assert r.status_code == 409 and "on compliance hold and cannot be declared" in r.json()["detail"]
    assert hold["id"] in r.json()["detail"]
    release = f"/v1/compliance/holds/{hold['id']}/release"
    for who in (DESK, OFFICER):
        assert (await api.post(release, json={"basis": "licence", "reason": "x", "licence": LICENCE},
                               headers=who)).status_code == 403
    r = await api.post(release, json={"basis": "licence", "reason": "licensed"}, headers=COMPLIANCE)
    assert r.status_code == 422 and "needs the licence" in r.json()["detail"]
    r = await api.post(release, json={"basis": "false_positive", "reason": "x"}, headers=COMPLIANCE)
    assert r.status_code == 422 and "no false positive" in r.json()["detail"]
    r = await api.post(release, json={"basis": "licence", "reason": "BIS licence granted", "licence": LICENCE},
                       headers=COMPLIANCE)
    assert r.status_code == 200 and r.json()["status"] == "released"
    assert r.json()["closure"]["licence"]["number"] == "D1234567"
    assert r.json()["closure"]["actor"].startswith("compliance_officer")
    assert (await api.post(release, json={"basis": "licence", "reason": "again", "licence": LICENCE},
                           headers=COMPLIANCE)).status_code == 409
    assert (await api.post("/v1/items/c1/exit-declaration", json=EXIT_ABROAD, headers=DESK)).status_code == 200
    assert [t for t in await types(api) if t.startswith("compliance")] == ["compliance_held", "compliance_released"]
    screens = (await api.get("/v1/compliance/screenings", params={"subject": "item", "subject_id": "c1"},
                             headers=OFFICER)).json()
    # the refused declaration's screening is kept too; the last one still hits, covered by the licence
    assert [s["point"] for s in screens] == ["decision", "declaration", "declaration"]
    assert all(s["hits"] and s["list_version"] == 1 for s in screens)


async def test_a_prohibited_destination_is_never_released_and_an_amendment_clears_it(api):
    await us_unit(api, "c2")
    [hold] = (await decide(api, "c2", "RU"))["compliance_holds"]
    assert hold["control"] == "prohibited"
    r = await api.post(f"/v1/compliance/holds/{hold['id']}/release",
                       json={"basis": "licence", "reason": "x", "licence": LICENCE}, headers=COMPLIANCE)
    assert r.status_code == 409 and "never released; amend the decision" in r.json()["detail"]
    r = await api.post("/v1/items/c2/decision/amendment", json={"destination": "re_export",
                       "destination_country": "DE", "reason": "RU is embargoed"}, headers=DESK)
    assert r.status_code == 200 and r.json()["compliance_holds"] == []
    cleared = (await api.get(f"/v1/compliance/holds/{hold['id']}", headers=DESK)).json()
    assert cleared["status"] == "cleared" and cleared["closure"]["basis"] == "no_longer_matches"
    assert (await api.post("/v1/items/c2/exit-declaration", json=EXIT_ABROAD, headers=DESK)).status_code == 200


async def test_a_consignee_hit_holds_the_shipment_until_released_as_a_false_positive(api):
    await us_unit(api, "c3")
    await decide(api, "c3", "DE")
    assert (await api.post("/v1/items/c3/exit-declaration", json=EXIT_ABROAD, headers=DESK)).status_code == 200
    r = await api.post("/v1/shipments", headers=DESK, json={
        "carrier": "DHL", "tracking_number": "C3", "destination_country": "DE", "address": "Munich", "incoterm": "DAP",
        "consignee": {"name": "华为技术有限公司", "address": "Munich", "country": "XX"}})
    assert r.status_code == 422 and "unknown ISO 3166 country 'XX'" in r.json()["detail"]
    s = (await api.post("/v1/shipments", headers=DESK, json={
        "carrier": "DHL", "tracking_number": "C3", "destination_country": "DE", "address": "Munich", "incoterm": "DAP",
        "consignee": {"name": "华为技术有限公司", "address": "Munich", "country": "DE"}})).json()
    [hold] = s["compliance_holds"]
    assert hold["subject"] == "shipment" and hold["matched"]["entry_id"] == "EL-HUAWEI"
    r = await api.post(f"/v1/shipments/{s['id']}/items", json={"item_id": "c3"}, headers=DESK)
    assert r.status_code == 200 and r.json()["consignee"]["name"] == "华为技术有限公司"
    r = await api.post(f"/v1/shipments/{s['id']}/transition", json={"to": "customs_cleared"}, headers=DESK)
    assert r.status_code == 409 and "cannot be customs cleared" in r.json()["detail"]
    r = await api.post(f"/v1/compliance/holds/{hold['id']}/release", headers=COMPLIANCE,
                       json={"basis": "false_positive", "reason": "Munich distributor, not the listed entity"})
    assert r.status_code == 200
    for to in ("customs_cleared", "shipped"):
        r = await api.post(f"/v1/shipments/{s['id']}/transition", json={"to": to}, headers=DESK)
        assert r.status_code == 200, r.text
    tail = await types(api)
    assert tail.count("compliance_held") == 1 and tail.count("compliance_released") == 1 and tail[-1] == "shipped"


async def test_an_admin_edits_the_lists_each_edit_a_version_that_rescreens_open_decisions(api):
    await us_unit(api, "c4")
    assert (await decide(api, "c4", "DE"))["compliance_holds"] == []
    rule = {"classification": "3B991", "country": "DE", "control": "licence_required", **SOURCE}
    for who in (DESK, COMPLIANCE, OFFICER):
        assert (await api.put("/v1/compliance/country-rules", json=rule, headers=who)).status_code == 403
    r = await api.put("/v1/compliance/country-rules", json=rule, headers=ADMIN)
    assert r.status_code == 200 and r.json()["version"] == 2 and len(r.json()["holds_opened"]) == 1
    [hold] = (await api.get("/v1/items/c4", headers=DESK)).json()["compliance_holds"]
    assert hold["point"] == "list_change" and hold["list_version"] == 2
    r = await api.delete("/v1/compliance/country-rules/3B991/DE", params=SOURCE, headers=ADMIN)
    assert r.status_code == 200 and r.json()["holds_cleared"] == [hold["id"]]
    versions = (await api.get("/v1/compliance/lists/versions", headers=COMPLIANCE)).json()
    assert [(v["version"], v["source"]) for v in versions][1:] == [(2, SOURCE["source"]), (3, SOURCE["source"])]
    assert versions[0]["created_by"] == "seed" and versions[2]["source_date"] == "2026-12-01"
    old = (await api.get("/v1/compliance/lists/versions/2", headers=DESK)).json()
    assert {"classification": "3B991", "country": "DE", "control": "licence_required", "note": ""} in \
        old["country_rules"]
    assert (await api.get("/v1/compliance/lists/versions/99", headers=DESK)).status_code == 404


async def test_bad_list_edits_are_4xx_naming_what_is_wrong(api):
    bad = {"classification": "9Z999", "country": "RU", "control": "prohibited", **SOURCE}
    r = await api.put("/v1/compliance/country-rules", json=bad, headers=ADMIN)
    assert r.status_code == 422 and "no classification has that code" in r.json()["detail"]
    r = await api.put("/v1/compliance/country-rules", json=bad | {"classification": "3B991", "country": "Russia"},
                      headers=ADMIN)
    assert r.status_code == 422
    r = await api.put("/v1/compliance/parties", headers=ADMIN, json={
        "id": "P-1", "list_name": "Entity List", "name": "Acme", "countries": ["XX"], **SOURCE})
    assert r.status_code == 422 and "unknown ISO 3166 country 'XX'" in r.json()["detail"]
    r = await api.put("/v1/compliance/parties", headers=ADMIN, json={"id": "P-1", "list_name": "L", "name": "Acme"})
    assert r.status_code == 422   # every edit names its source and date
    r = await api.delete("/v1/compliance/parties/NOPE", params=SOURCE, headers=ADMIN)
    assert r.status_code == 422 and "no restricted party 'NOPE'" in r.json()["detail"]
    assert (await api.get("/v1/compliance/lists", headers=DESK)).json()["version"] == 1
