"""Repair's API refusals, roles, filters, queues, reference data and optimistic locking (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest

from tests.integration.test_repair_helpers import (
    ADMIN,
    DESK,
    OFFICER,
    PARTNER,
    QUOTE,
    TECH,
    TECH2,
    auth,
    drive,
    post,
    release,
    repair,
)

__all__ = ["repair"]


async def test_illegal_transition_is_409_naming_the_allowed_ones(repair):
    c = repair
    wo_id = await release(c)
    r = await c.post(f"/v1/work-orders/{wo_id}/testing/start", headers=TECH)
    assert r.status_code == 409
    assert r.json()["detail"] == (f"cannot start_testing work order {wo_id}: it is queued; start_testing is allowed "
                                  "from in_repair; allowed now: start_diagnosis")
    assert r.json()["context"] == {"state": "queued", "allowed_from": ["in_repair"],
                                   "allowed_transitions": ["start_diagnosis"]}
    r = await c.post(f"/v1/work-orders/{wo_id}/complete", json={"outcome": "repaired"}, headers=TECH)
    assert r.status_code == 409 and "complete_repaired is allowed from testing" in r.json()["detail"]
    wo = (await c.get(f"/v1/work-orders/{wo_id}", headers=TECH)).json()
    assert wo["state"] == "queued" and wo["version"] == 1 and wo["allowed_actions"] == ["assign", "start_diagnosis"]


@pytest.mark.parametrize("method, path, body", [
    ("post", "/diagnosis/start", None), ("post", "/quote", QUOTE), ("post", "/complete", {"outcome": "repaired"}),
    ("post", "/labour", {"minutes": 5}), ("post", "/assignment", {"technician": "li"}),
    ("post", "/parts/consumptions", {"part_number": "P", "quantity": 1}),
])
async def test_only_technicians_and_admins_work_on_work_orders(repair, method, path, body):
    c = repair
    wo_id = await release(c)
    for who in (DESK, OFFICER, PARTNER):
        r = await c.request(method, f"/v1/work-orders/{wo_id}{path}", json=body, headers=who)
        assert r.status_code == 403 and "allowed: admin, technician" in r.json()["detail"]
    assert (await c.request(method, f"/v1/work-orders/{wo_id}{path}", json=body)).status_code == 401


async def test_readers_and_partners_see_what_they_may(repair):
    c = repair
    mine, theirs = await release(c), await release(c, owner="fab-2")
    for who in (TECH, DESK, OFFICER, ADMIN):
        assert (await c.get(f"/v1/work-orders/{theirs}", headers=who)).status_code == 200
    assert (await c.get(f"/v1/work-orders/{mine}", headers=PARTNER)).status_code == 200
    r = await c.get(f"/v1/work-orders/{theirs}/history", headers=PARTNER)
    assert r.status_code == 403 and "cannot read owner fab-2" in r.json()["detail"]
    listed = (await c.get("/v1/work-orders", params={"owner_id": "fab-2"}, headers=PARTNER)).json()
    assert [w["id"] for w in listed] == [mine]  # a partner's list is always its own
    assert (await c.get("/v1/parts/stock", headers=PARTNER)).status_code == 403
    assert (await c.get("/v1/work-orders", headers=auth("intake_clerk"))).status_code == 403


async def test_bad_input_gets_a_clear_4xx_and_writes_nothing(repair):
    c = repair
    wo_id = await release(c)
    await post(c, f"/v1/work-orders/{wo_id}/diagnosis/start")
    r = await c.post(f"/v1/work-orders/{wo_id}/diagnosis", json={"failure_codes": ["NOPE"], "findings": "x"},
                     headers=TECH)
    assert r.status_code == 422 and "unknown or inactive failure codes ['NOPE']" in r.json()["detail"]
    r = await c.post(f"/v1/work-orders/{wo_id}/diagnosis", json={"failure_codes": []}, headers=TECH)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "findings"]
    await post(c, f"/v1/work-orders/{wo_id}/diagnosis", {"failure_codes": ["VAC-LEAK"], "findings": "leak"})
    r = await c.post(f"/v1/work-orders/{wo_id}/quote", json=QUOTE | {"currency": "ABC"}, headers=TECH)
    assert r.status_code == 422 and "unknown ISO 4217 currency 'ABC'" in r.json()["detail"]
    r = await c.post(f"/v1/work-orders/{wo_id}/quote", json=QUOTE | {"repair_fee": "-5"}, headers=TECH)
    assert r.status_code == 422
    r = await c.post(f"/v1/work-orders/{wo_id}/labour", json={"minutes": 0}, headers=TECH)
    assert r.status_code == 422
    r = await c.post(f"/v1/work-orders/{wo_id}/labour/stop", headers=TECH)
    assert r.status_code == 409 and "no labour clock running" in r.json()["detail"]
    r = await c.post(f"/v1/work-orders/{wo_id}/assignment", json={"technician": "li"}, headers=TECH | {"If-Match": "x"})
    assert r.status_code == 422 and "If-Match must carry a work order version" in r.json()["detail"]
    assert (await c.post("/v1/work-orders/nope/diagnosis/start", headers=TECH)).status_code == 404
    history = (await c.get(f"/v1/work-orders/{wo_id}/history", headers=TECH)).json()
    assert [h["action"] for h in history["history"]] == ["open", "start_diagnosis", "diagnose"]
    assert history["work_order"]["quote"] is None and history["work_order"]["labour_minutes"] == 0


async def test_a_stale_version_gets_409_and_nothing_is_lost(repair):
    c = repair
    wo_id = await release(c)
    await drive(c, wo_id, "diagnosing")
    v = (await c.get(f"/v1/work-orders/{wo_id}", headers=TECH)).json()["version"]
    first = await c.post(f"/v1/work-orders/{wo_id}/labour", json={"minutes": 20}, headers=TECH | {"If-Match": f'"{v}"'})
    second = await c.post(f"/v1/work-orders/{wo_id}/labour", json={"minutes": 35},
                          headers=TECH2 | {"If-Match": f'"{v}"'})
    assert (first.status_code, second.status_code) == (201, 409)
    assert "was changed by someone else" in second.json()["detail"]
    entries = (await c.get(f"/v1/work-orders/{wo_id}/labour", headers=TECH)).json()
    assert [(e["technician"], e["minutes"]) for e in entries] == [("li", 20)]
    assert (await c.get(f"/v1/work-orders/{wo_id}", headers=TECH)).json()["labour_minutes"] == 20


async def test_filters_queue_and_age(repair):
    c = repair
    a, b, other = await release(c), await release(c), await release(c, owner="fab-2")
    await post(c, f"/v1/work-orders/{a}/assignment", {"technician": "li"})
    await post(c, f"/v1/work-orders/{b}/assignment", {"technician": "li"}, ADMIN)
    await post(c, f"/v1/work-orders/{other}/assignment", {"technician": "wang"})
    await drive(c, b, "diagnosing")

    async def ids(**params) -> list[str]:  # type: ignore[no-untyped-def]
        r = await c.get("/v1/work-orders", params=params, headers=DESK)
        assert r.status_code == 200, r.text
        return [w["id"] for w in r.json()]

    assert set(await ids(state="queued")) == {a, other} and await ids(state="diagnosing") == [b]
    assert set(await ids(state=["queued", "diagnosing"], owner_id="fab-1")) == {a, b}
    assert set(await ids(technician="li")) == {a, b} and await ids(technician="wang") == [other]
    assert await ids(min_age_hours=1) == [] and len(await ids(max_age_hours=1)) == 3
    assert (await c.get("/v1/work-orders", params={"state": "limbo"}, headers=DESK)).status_code == 422
    queue = (await c.get("/v1/technicians/me/queue", headers=TECH)).json()
    assert [w["id"] for w in queue] == [a, b]  # oldest first
    history = (await c.get(f"/v1/work-orders/{b}/history", headers=TECH)).json()["history"]
    assert [(h["action"], h["actor"], h["note"]) for h in history[1:2]] == [("assign", "admin:ann", "assigned to li")]


async def test_failure_codes_and_agreements_are_admin_reference_data(repair):
    c = repair
    codes = (await c.get("/v1/failure-codes", headers=TECH)).json()
    assert {"VAC-LEAK", "PWR-SUPPLY", "OTHER"} <= {x["code"] for x in codes}
    assert (await c.put("/v1/failure-codes/ESC-ARC", json={"description": "arcing"}, headers=TECH)).status_code == 403
    r = await c.put("/v1/failure-codes/ESC-ARC", json={"description": "Electrostatic chuck arcing"}, headers=ADMIN)
    assert r.status_code == 200 and r.json() == {"code": "ESC-ARC", "description": "Electrostatic chuck arcing",
                                                 "active": True}
    assert (await c.put("/v1/failure-codes/bad code", json={"description": "x"}, headers=ADMIN)).status_code == 422
    await c.put("/v1/failure-codes/VAC-LEAK", json={"description": "Vacuum leak", "active": False}, headers=ADMIN)
    wo_id = await release(c)
    await post(c, f"/v1/work-orders/{wo_id}/diagnosis/start")
    r = await c.post(f"/v1/work-orders/{wo_id}/diagnosis", json={"failure_codes": ["VAC-LEAK"], "findings": "x"},
                     headers=TECH)
    assert r.status_code == 422 and "inactive" in r.json()["detail"]
    await post(c, f"/v1/work-orders/{wo_id}/diagnosis", {"failure_codes": ["ESC-ARC"], "findings": "arc marks"})

    assert (await c.put("/v1/owner-agreements/fab-1", json={"skip_quote": True}, headers=TECH)).status_code == 403
    first = await c.put("/v1/owner-agreements/fab-1", json={"skip_quote": True, "expected_version": 0}, headers=ADMIN)
    assert first.status_code == 200 and first.json()["version"] == 1
    stale = await c.put("/v1/owner-agreements/fab-1", json={"skip_quote": False, "expected_version": 0},
                        headers=ADMIN)
    assert stale.status_code == 409
    second = await c.put("/v1/owner-agreements/fab-1", json={"skip_quote": False, "expected_version": 1},
                         headers=ADMIN)
    assert second.json()["version"] == 2 and second.json()["skip_quote"] is False
    assert (await c.get("/v1/owner-agreements", headers=OFFICER)).json()[0]["owner_id"] == "fab-1"
    quoted = await post(c, f"/v1/work-orders/{wo_id}/quote", QUOTE)
    assert quoted["state"] == "quote_pending"  # the agreement was withdrawn


async def test_retried_post_with_idempotency_key_acts_once(repair):
    c = repair
    wo_id = await release(c)
    await drive(c, wo_id, "diagnosing")
    key = TECH | {"Idempotency-Key": "book-1"}
    first = await c.post(f"/v1/work-orders/{wo_id}/labour", json={"minutes": 15}, headers=key)
    again = await c.post(f"/v1/work-orders/{wo_id}/labour", json={"minutes": 15}, headers=key)
    assert first.status_code == again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert (await c.get(f"/v1/work-orders/{wo_id}", headers=TECH)).json()["labour_minutes"] == 15


async def test_unknown_fields_are_refused_not_dropped(repair):
    c = repair
    wo_id = await release(c)
    r = await c.post(f"/v1/work-orders/{wo_id}/complete", headers=TECH,
                     json={"outcome": "repaired", "repair_fee": "10.00", "labour_minutes": 90})
    assert r.status_code == 422 and {e["loc"][-1] for e in r.json()["detail"]} == {"repair_fee", "labour_minutes"}
    assert (await c.get(f"/v1/work-orders/{wo_id}", headers=TECH)).json()["state"] == "queued"
