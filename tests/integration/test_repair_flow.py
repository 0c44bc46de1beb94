"""Repair's HTTP API through whole work orders, on SQLite and PostgreSQL; events checked against the contract."""
from __future__ import annotations

from decimal import Decimal

from tests.integration.test_repair_helpers import (
    PARTNER,
    PASS,
    TECH,
    auth,
    drive,
    events,
    post,
    receive_parts,
    release,
    repair,
)

__all__ = ["repair"]  # the fixture


async def test_repaired_with_parts_labour_a_failed_and_a_passing_test(repair):
    c = repair
    await receive_parts(c, "PN-SEAL", 3, lot="L-7", value="250.00")
    wo_id = await release(c)
    wo = await drive(c, wo_id, "approved")
    assert wo["state"] == "approved" and wo["quote"]["status"] == "approved" and wo["quote"]["total"] == "1450.00"
    r = await post(c, f"/v1/work-orders/{wo_id}/parts/requests", {"lines": [{"part_number": "PN-SEAL", "quantity": 2}]})
    assert r["work_order"]["state"] == "awaiting_parts"
    assert r["lines"] == [{"part_number": "PN-SEAL", "requested": 2, "reserved": 2, "waiting": 0,
                           "availability": "available"}]
    await post(c, f"/v1/work-orders/{wo_id}/repair/start")
    used = await post(c, f"/v1/work-orders/{wo_id}/parts/consumptions", {"part_number": "PN-SEAL", "quantity": 2},
                      expect=201)
    assert used["used"][0]["quantity"] == 2 and used["old_part_id"]
    await post(c, f"/v1/work-orders/{wo_id}/labour", {"minutes": 30}, expect=201)
    await post(c, f"/v1/work-orders/{wo_id}/labour/start", expect=201)
    clock = await post(c, f"/v1/work-orders/{wo_id}/labour/stop")
    assert clock["running"] is False and clock["technician"] == "li"
    await post(c, f"/v1/work-orders/{wo_id}/testing/start")
    failed = await post(c, f"/v1/work-orders/{wo_id}/tests", {"procedure": "ATP-7", "passed": False}, expect=201)
    assert failed["work_order"]["state"] == "in_repair"
    await post(c, f"/v1/work-orders/{wo_id}/testing/start")
    passed = await post(c, f"/v1/work-orders/{wo_id}/tests", PASS, expect=201)
    assert passed["test"]["passed"] is True and passed["work_order"]["last_test_passed"] is True
    done = await post(c, f"/v1/work-orders/{wo_id}/complete", {"outcome": "repaired", "note": "ATP passed"})
    assert done["state"] == "repaired" and done["outcome"] == "repaired" and done["allowed_actions"] == []
    assert done["repair_fee"] == "1200.00" and done["currency"] == "USD" and done["labour_minutes"] >= 31

    published = await events(c)
    kinds = [k for k, _, _ in published]
    assert kinds[0] == "work_order.opened" and kinds[-1] == "work_order.completed"
    assert {"work_order.diagnosed", "work_order.quote_issued", "work_order.quote_decided", "work_order.tested",
            "work_order.parts_consumed", "old_part.recorded"} <= set(kinds)
    unit_id = published[0][2]["unit_id"]
    assert all(key == unit_id for _, key, _ in published)  # one unit's events stay in order
    moves = [(d["from_state"], d["to_state"]) for k, _, d in published if k == "work_order.state_changed"]
    assert moves == [("queued", "diagnosing"), ("diagnosing", "quote_pending"), ("quote_pending", "approved"),
                     ("approved", "awaiting_parts"), ("awaiting_parts", "in_repair"), ("in_repair", "testing"),
                     ("testing", "in_repair"), ("in_repair", "testing"), ("testing", "repaired")]
    completed = published[-1][2]
    assert completed["outcome"] == "repaired" and completed["repair_fee"] == {"amount": "1200.00", "currency": "USD"}
    assert completed["parts_used"] == [{"part_number": "PN-SEAL", "lot": "L-7", "quantity": 2, "origin": "foreign",
                                        "hs_code": "8486909000",
                                        "unit_value": {"amount": "250.00", "currency": "USD"}}]
    assert completed["labour_minutes"] == done["labour_minutes"] and completed["failure_codes"] == ["VAC-LEAK"]
    assert completed["old_part_ids"] == [used["old_part_id"]]

    lots = (await c.get("/v1/parts/stock", params={"part_number": "PN-SEAL"}, headers=TECH)).json()
    assert [(lot["on_hand"], lot["reserved"], lot["free"]) for lot in lots] == [(1, 0, 1)]
    history = (await c.get(f"/v1/work-orders/{wo_id}/history", headers=auth("customs_officer"))).json()["history"]
    assert history[0]["action"] == "open" and history[0]["actor"] == "event:/bondline/intake"
    decided = next(h for h in history if h["action"] == "approve_quote")
    assert decided["actor"] == "partner:p" and decided["from_state"] == "quote_pending"
    assert history[-1]["action"] == "complete_repaired" and history[-1]["actor"] == "technician:li"
    assert len((await c.get(f"/v1/work-orders/{wo_id}/tests", headers=PARTNER)).json()) == 2


async def test_declined_quote_returns_the_unit_unrepaired(repair):
    c = repair
    wo_id = await release(c)
    await drive(c, wo_id, "quote_pending")
    other = await c.post(f"/v1/work-orders/{wo_id}/quote/decision", json={"approve": True},
                         headers=auth("partner", "q", "fab-2"))
    assert other.status_code == 403 and "another owner's unit" in other.json()["detail"]
    tech = await c.post(f"/v1/work-orders/{wo_id}/quote/decision", json={"approve": True}, headers=TECH)
    assert tech.status_code == 403
    declined = await post(c, f"/v1/work-orders/{wo_id}/quote/decision", {"approve": False, "note": "too dear"},
                          PARTNER)
    assert declined["state"] == "declined" and declined["allowed_actions"] == ["assign", "log_labour",
                                                                              "return_unrepaired"]
    r = await c.post(f"/v1/work-orders/{wo_id}/complete", json={"outcome": "repaired"}, headers=TECH)
    assert r.status_code == 409 and "allowed now: return_unrepaired" in r.json()["detail"]
    done = await post(c, f"/v1/work-orders/{wo_id}/complete", {"outcome": "returned_unrepaired"})
    assert done["state"] == "returned_unrepaired" and Decimal(done["repair_fee"]) == 0
    completed = (await events(c))[-1][2]
    assert completed["outcome"] == "returned_unrepaired" and completed["repair_fee"]["amount"] == "0.00"


async def test_no_fault_found_is_returned_from_diagnosis(repair):
    c = repair
    wo_id = await release(c)
    await post(c, f"/v1/work-orders/{wo_id}/diagnosis/start")
    await post(c, f"/v1/work-orders/{wo_id}/diagnosis", {"findings": "no fault in 8 h burn-in", "no_fault_found": True})
    done = await post(c, f"/v1/work-orders/{wo_id}/complete", {"outcome": "returned_unrepaired"})
    assert done["diagnosis"]["no_fault_found"] is True
    assert (await events(c))[-1][2]["no_fault_found"] is True


async def test_first_pass_yield(repair):
    c = repair
    for first_passes in (True, False, True, True):
        wo_id = await release(c)
        await drive(c, wo_id, "testing")
        await post(c, f"/v1/work-orders/{wo_id}/tests", {"procedure": "ATP", "passed": first_passes}, expect=201)
    y = (await c.get("/v1/reports/first-pass-yield", headers=auth("dispatcher", "desk"))).json()
    assert (y["tested"], y["passed_first_time"], y["first_pass_yield"]) == (4, 3, 0.75)
    later = (await c.get("/v1/reports/first-pass-yield", params={"since": "2100-01-01T00:00:00Z"},
                         headers=TECH)).json()
    assert later["tested"] == 0 and later["first_pass_yield"] is None
