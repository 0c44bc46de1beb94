"""Issue 14: a 422 never echoes megabytes back; what an error quotes of the input is capped, in every service
(FastAPI's validation errors and the domain's refusals), and the message names the action asked for."""
from __future__ import annotations

import httpx
import pytest

from services.dispatch.bootstrap import build_app as dispatch_app
from tests.integration.test_intake_flow import api
from tests.integration.test_repair_helpers import PARTNER, QUOTE, TECH, auth, post, release, repair
from tests.support.intake import CLERK, announce, declaration_body, owner_body, unit_body
from tests.support.runtime import runtime

__all__ = ["api", "repair"]
HUGE = "Z" * 5_000_000


def small(r: httpx.Response) -> None:
    assert r.status_code == 422, r.text[:500]
    assert len(r.content) < 5_000 and "5000000 characters in all" in r.text


async def test_intake_caps_a_validation_error_and_keeps_its_shape(api):
    r = await api.post("/v1/declarations", json=declaration_body(["u-1"], gate_pass_no=HUGE), headers=CLERK)
    small(r)
    [error] = r.json()["detail"]
    assert error["loc"] == ["body", "gate_pass_no"] and error["type"] == "string_too_long"
    assert error["input"].startswith("ZZZZ") and error["input"].endswith("(5000000 characters in all)")


async def test_intake_caps_a_whole_body_echoed_back(api):
    r = await api.post("/v1/owners", json={"name": HUGE}, headers=CLERK)
    small(r)
    assert {tuple(e["loc"]) for e in r.json()["detail"]} >= {("body", "id"), ("body", "kind")}


async def test_intake_domain_refusals_quote_short(api):
    await api.post("/v1/owners", json=owner_body("fab-1"), headers=CLERK)
    [unit] = await announce(api, "fab-1", "KR", unit_body("SN-C"))
    r = await api.post("/v1/declarations", json=declaration_body([unit["id"]], gate_pass_no="g" * 100),
                       headers=CLERK)
    assert r.status_code == 422 and "g" * 100 in r.json()["detail"]  # short enough: quoted in full


async def test_repair_caps_validation_and_domain_messages(repair):
    wo_id = await release(repair)
    small(await repair.post(f"/v1/work-orders/{wo_id}/quote", json=QUOTE | {"currency": HUGE}, headers=TECH))
    r = await repair.put(f"/v1/failure-codes/{'q' * 5000}", json={"description": "x"}, headers=auth("admin"))
    assert r.status_code == 422 and len(r.text) < 1_000 and "5002 characters in all" in r.json()["detail"]


async def test_declining_an_approved_quote_names_the_decline(repair):
    wo_id = await release(repair)
    await post(repair, f"/v1/work-orders/{wo_id}/diagnosis/start")
    await post(repair, f"/v1/work-orders/{wo_id}/diagnosis", {"failure_codes": ["VAC-LEAK"], "findings": "leak"})
    await post(repair, f"/v1/work-orders/{wo_id}/quote", QUOTE)
    await post(repair, f"/v1/work-orders/{wo_id}/quote/decision", {"approve": True}, PARTNER)
    r = await repair.post(f"/v1/work-orders/{wo_id}/quote/decision", json={"approve": False}, headers=PARTNER)
    assert r.status_code == 409
    assert r.json()["detail"].startswith(f"cannot decline_quote work order {wo_id}: it is approved; "
                                         "decline_quote is allowed from quote_pending")
    r = await repair.post(f"/v1/work-orders/{wo_id}/quote/decision", json={"approve": True}, headers=PARTNER)
    assert r.status_code == 409 and r.json()["detail"].startswith("cannot approve_quote")


@pytest.fixture
async def dispatch(db_url, monkeypatch):  # type: ignore[no-untyped-def]
    rt = runtime("dispatch", db_url, monkeypatch)
    app = dispatch_app(rt, run_relay=False, run_consumer=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dispatch") as client:
        yield client
    await rt.dispose()


async def test_dispatch_caps_a_validation_error_too(dispatch):
    r = await dispatch.post("/v1/items/u-1/decision", json={"destination": HUGE}, headers=auth("dispatcher"))
    small(r)
