"""Entry filings against the customs simulator (in process, over HTTP) with dispatch's account book read over its API:
the entry list built from announced units goes out as XML, its QD and HF numbers come back in receipts, a rejected
list is corrected and resent, an inspection instructed by customs holds the units until released, a declared list
is amended, and numbers typed while a platform is connected are an audited override. SQLite and PostgreSQL."""
from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.customs_simulator.app import create_app as simulator
from services.customs_simulator.settings import SimulatorSettings
from services.dispatch.bootstrap import build_app as dispatch_app
from services.intake.adapters import customs_worker
from services.intake.adapters.account_book import HttpAccountBook
from services.intake.bootstrap import build_app
from services.kit.auth import issue_token
from services.kit.customs.platform import HttpPlatform
from services.kit.settings import DEV_JWT_SECRET
from shared.contract.customs import numbers
from tests.integration.test_intake_flow import events
from tests.support.intake import CLERK, OFFICER, announce, declaration_body, owner_body, unit_body
from tests.support.runtime import runtime
from tests.support.stack import token

ADMIN = token("admin")
CODE = "9131000012"
BOOK = {"book_no": "H2244B000001", "enterprise_code": "3122W60001", "enterprise_name": "Lingang Bonded Repair",
        "customs_district": "2244", "valid_from": "2026-01-01", "valid_to": "2027-12-31"}
ITEM = {"kind": "unit", "material_no": "0040-86372", "hs_code": "8486909000", "goods_name": "静电卡盘 ESC",
        "declared_unit": "001", "unit_price": "42000.00", "currency": "USD", "legal_per_declared": "38.5"}


class Stack:
    def __init__(self, intake: httpx.AsyncClient, platform: HttpPlatform, control: httpx.AsyncClient) -> None:
        self.intake, self.platform, self.control = intake, platform, control
        self.rt: Any = intake.rt  # type: ignore[attr-defined]

    async def round(self, times: int = 2) -> None:
        for _ in range(times):  # send what waits, read receipts (released ones are due at the next read)
            await customs_worker.step(self.rt, self.platform)

    async def filing(self, filing_id: str) -> dict[str, Any]:
        r = await self.intake.get(f"/v1/customs/entry-filings/{filing_id}", headers=OFFICER)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    async def unit(self, unit_id: str) -> dict[str, Any]:
        body: dict[str, Any] = (await self.intake.get(f"/v1/units/{unit_id}", headers=CLERK)).json()
        return body

    async def file(self, unit_ids: list[str], ok: int = 202) -> dict[str, Any]:
        r = await self.intake.post("/v1/customs/entry-filings", headers=CLERK,
                                   json={"unit_ids": unit_ids, "transport_mode": "5"})
        assert r.status_code == ok, r.text
        body: dict[str, Any] = r.json()
        return body

    async def owner(self, owner_id: str = "fab-sh-1", tier: str = "general", code: str | None = CODE) -> None:
        body = owner_body(owner_id, tier) | {"customs_code": code}
        r = await self.intake.post("/v1/owners", headers=CLERK, json=body)
        assert r.status_code == 201, r.text

    async def events(self, kind: str) -> list[dict[str, Any]]:
        """The unit events of ``kind`` in the outbox, each parsed through the contract registry."""
        return [payload for name, payload in await events(self.intake) if name == kind]


@pytest.fixture
async def stack(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> AsyncIterator[Stack]:
    keeper = runtime("dispatch", f"sqlite+aiosqlite:///{tmp_path}/dispatch.db", monkeypatch)
    rt = runtime("intake", db_url, monkeypatch)
    rt.d.settings.customs_platform_url = "http://customs"  # a platform is connected: receipts give the numbers
    app = build_app(rt, run_relay=False, run_consumer=False)
    books = httpx.ASGITransport(app=dispatch_app(keeper, run_relay=False, run_consumer=False))
    service = issue_token(DEV_JWT_SECRET, "bondline-intake", "service")
    app.state.account_book = HttpAccountBook("http://dispatch", lambda: service, transport=books)
    sim = httpx.ASGITransport(app=simulator(SimulatorSettings(release_delay_s=0, inspection_delay_s=0)))
    async with httpx.AsyncClient(transport=books, base_url="http://dispatch") as dispatch, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake") as intake, \
            httpx.AsyncClient(transport=sim, base_url="http://customs") as control:
        assert (await dispatch.post("/v1/account-book", json=BOOK, headers=ADMIN)).status_code == 201
        assert (await dispatch.post("/v1/account-book/items", json=ITEM, headers=ADMIN)).status_code == 201
        intake.rt = rt  # type: ignore[attr-defined]
        platform = HttpPlatform("http://customs", transport=sim)
        yield Stack(intake, platform, control)
        await platform.close()
    await app.state.account_book.close()
    await rt.dispose()
    await keeper.dispose()


async def test_the_entry_list_numbers_come_from_customs_and_released_units_may_be_received(stack: Stack) -> None:
    await stack.owner()
    units = await announce(stack.intake, "fab-sh-1", "KR", unit_body("SN-1"), unit_body("SN-2"))
    ids = [u["id"] for u in units]
    filing = await stack.file(ids)
    assert filing["state"] == "sent" and filing["inventory_list_no"] is None, "no number before customs gives one"
    (message,) = filing["messages"]
    doc = message["document"]
    assert message["state"] == "pending" and "<direction>I</direction>" in doc and f"<owner_code>{CODE}" in doc
    assert "<book_item_no>1</book_item_no>" in doc and "<legal_quantity>38.50000</legal_quantity>" in doc
    assert "SN-2" in doc and "<origin_country>KR</origin_country>" in doc
    assert (await stack.unit(ids[0]))["unit"]["state"] == "announced"
    r = await stack.intake.post(f"/v1/units/{ids[0]}/receipt", headers=CLERK,
                                json={"serial_number": "SN-1", "part_number": "0040-86372"})
    assert r.status_code == 409, "not received before customs releases it"
    await stack.round()
    filing = await stack.filing(filing["id"])
    assert filing["state"] == "released", filing["history"]
    qd = filing["inventory_list_no"]
    assert numbers.valid("inventory_list", qd) and qd[8] == "I"
    assert [x["kind"] for x in filing["receipts"]] == ["accepted", "released"] and all(
        x["simulated"] for x in filing["receipts"])
    unit = (await stack.unit(ids[0]))["unit"]
    assert (unit["state"], unit["customs_released"], unit["documents"]["bonded_inventory_list"]) == (
        "declared", True, qd)
    assert [e["inspection_selected"] for e in await stack.events("declared")] == [False, False]
    r = await stack.intake.post(f"/v1/units/{ids[0]}/receipt", headers=CLERK,
                                json={"serial_number": "SN-1", "part_number": "0040-86372"})
    assert r.status_code == 200 and r.json()["state"] == "received", r.text
    r = await stack.intake.post(f"/v1/customs/entry-filings/{filing['id']}/gate-pass", headers=CLERK,
                                json={"vehicle_no": "沪A12345"})
    assert r.status_code == 202, r.text
    await stack.round()
    filing = await stack.filing(filing["id"])
    assert filing["state"] == "closed" and numbers.valid("gate_pass", filing["gate_pass_no"])
    assert (await stack.unit(ids[1]))["unit"]["documents"]["gate_pass"] == filing["gate_pass_no"]


async def test_a_rejected_list_is_corrected_and_resent_without_a_unit_that_stays_behind(stack: Stack) -> None:
    await stack.owner(code=None)
    units = await announce(stack.intake, "fab-sh-1", "KR", unit_body("SN-1"), unit_body("SN-2"))
    ids = [u["id"] for u in units]
    refused = await stack.file(ids, ok=422)
    assert "no customs_code" in refused["detail"]
    r = await stack.intake.patch("/v1/owners/fab-sh-1", headers=CLERK, json={"customs_code": "bad"})
    assert r.status_code == 422 and "customs_code" in r.text
    assert (await stack.intake.patch("/v1/owners/fab-sh-1", headers=CLERK,
                                     json={"customs_code": CODE})).status_code == 200
    await stack.control.post("/v1/control", json={"reject_next": "商品编码与备案不符 HS code differs from the book",
                                                  "duplicate_next": True})
    filing = await stack.file(ids)
    await stack.round()
    filing = await stack.filing(filing["id"])
    assert filing["state"] == "rejected" and "HS code differs" in filing["reason"]
    assert [x["kind"] for x in filing["receipts"]] == ["rejected"], "a duplicated receipt is stored once"
    history = (await stack.unit(ids[0]))["history"]
    assert history[-1]["action"] == "customs_rejected" and "HS code differs" in history[-1]["note"]
    r = await stack.intake.post(f"/v1/units/{ids[1]}/withdrawal", headers=CLERK, json={"reason": "not coming"})
    assert r.status_code == 409 and "entry" in r.json()["detail"], "a unit on a filing is not withdrawn"
    r = await stack.intake.post(f"/v1/customs/entry-filings/{filing['id']}/resend", headers=CLERK,
                                json={"unit_ids": [ids[0]]})
    assert r.status_code == 202, r.text
    assert r.json()["unit_ids"] == [ids[0]] and len(r.json()["messages"]) == 2
    r = await stack.intake.post(f"/v1/units/{ids[1]}/withdrawal", headers=CLERK, json={"reason": "not coming"})
    assert r.status_code == 200, "off the list, the unit is free again"
    await stack.round()
    filing = await stack.filing(filing["id"])
    assert filing["state"] == "released" and filing["reason"] is None
    assert (await stack.intake.get("/v1/customs/entry-filings", headers=CLERK,
                                   params={"state": "rejected"})).json() == []


async def test_customs_instructs_a_remote_video_inspection_for_a_top_tier_owner(stack: Stack) -> None:
    await stack.owner(tier="advanced_certified")
    await stack.control.post("/v1/control", json={"enterprises": {CODE: "advanced_certified"},
                                                  "inspect_next": "remote_video", "delay_next_s": 3600})
    (unit,) = await announce(stack.intake, "fab-sh-1", "KR", unit_body("SN-1"))
    filing = await stack.file([unit["id"]])
    await stack.round()
    filing = await stack.filing(filing["id"])
    assert (filing["state"], filing["inspection"]) == ("inspection", "remote_video"), "customs decides, not bondline"
    got = (await stack.unit(unit["id"]))["unit"]
    assert (got["state"], got["customs_released"]) == ("inspection_pending", False)
    (selected,) = await stack.events("inspection_selected")
    assert (selected["method"], selected["credit_tier"]) == ("remote_video", "advanced_certified")
    r = await stack.intake.post(f"/v1/units/{unit['id']}/receipt", headers=CLERK,
                                json={"serial_number": "SN-1", "part_number": "0040-86372"})
    assert r.status_code == 409, "not received while customs inspects"
    r = await stack.intake.post(f"/v1/customs/entry-filings/{filing['id']}/amendment", headers=CLERK,
                                json={"reason": "by sea, not by air", "transport_mode": "2"})
    assert r.status_code == 202 and r.json()["change_waiting"], r.text
    r = await stack.intake.post(f"/v1/customs/entry-filings/{filing['id']}/amendment", headers=CLERK,
                                json={"reason": "again"})
    assert r.status_code == 409 and "waits for customs' answer" in r.json()["detail"]
    await stack.round()
    filing = await stack.filing(filing["id"])
    assert not filing["change_waiting"] and filing["transport_mode"] == "2"
    assert [m["kind"] for m in filing["messages"]] == ["inventory_list", "amendment"]
    assert "<refers_to>" + filing["inventory_list_no"] in filing["messages"][1]["document"]
    assert [h["what"] for h in filing["history"]][-2:] == ["amendment sent", "accepted"]


async def test_typed_numbers_with_a_platform_connected_are_an_audited_override(stack: Stack) -> None:
    await stack.owner()
    (unit,) = await announce(stack.intake, "fab-sh-1", "KR", unit_body("SN-1"))
    body = declaration_body([unit["id"]])
    r = await stack.intake.post("/v1/declarations", headers=CLERK, json=body)
    assert r.status_code == 422 and "needs override_reason" in r.json()["detail"]
    r = await stack.intake.post("/v1/declarations", headers=CLERK,
                                json=body | {"override_reason": "platform down; numbers phoned in by the officer",
                                             "customs_inspection": "on_site"})
    assert r.status_code == 201, r.text
    inspection = r.json()["inspection"]
    assert (inspection["decided_by"], inspection["selected"], inspection["methods"]) == ("customs", True, ["on_site"])
    (typed,) = [h for h in (await stack.unit(unit["id"]))["history"] if h["action"] == "numbers_typed"]
    assert "platform down" in typed["note"] and typed["documents"]["bonded_inventory_list"] == body[
        "bonded_inventory_list_no"]
    (other,) = await announce(stack.intake, "fab-sh-1", "KR", unit_body("SN-2"))
    await stack.file([other["id"]])
    r = await stack.intake.post("/v1/declarations", headers=CLERK,
                                json=declaration_body([other["id"]]) | {"override_reason": "typed"})
    assert r.status_code == 409 and "entry filing" in r.json()["detail"]


async def test_an_inspection_customs_does_not_pass_returns_the_units_before_release(stack: Stack) -> None:
    await stack.owner(tier="seriously_dishonest")
    await stack.control.post("/v1/control", json={"inspect_next": "on_site", "fail_next_inspection": True})
    (unit,) = await announce(stack.intake, "fab-sh-1", "KR", unit_body("SN-1"))
    filing = await stack.file([unit["id"]])
    await stack.round()
    filing = await stack.filing(filing["id"])
    assert filing["reason"] == "the inspection did not pass" and filing["state"] == "inspection"
    got = (await stack.unit(unit["id"]))["unit"]
    assert (got["state"], got["documents"]["return_mode"]) == ("rejected", "4500"), "returned before release"
    (inspected,) = await stack.events("inspected")
    assert (inspected["result"], inspected["method"]) == ("failed", "on_site")
    assert len(await stack.events("rejected")) == 1


async def test_what_customs_format_cannot_carry_is_a_422_and_nothing_is_filed(stack: Stack) -> None:
    await stack.owner()
    (odd,) = await announce(stack.intake, "fab-sh-1", "KR", unit_body("SN-\x01-1"))
    refused = await stack.file([odd["id"]], ok=422)
    assert "line 1 (SN-\x01-1) cannot be declared: serial_numbers.0" in refused["detail"]
    assert (await stack.unit(odd["id"]))["unit"]["declaration_id"] is None, "the unit is not on a filing"
    assert (await stack.intake.get("/v1/customs/entry-filings", headers=CLERK)).json() == []
    (unit,) = await announce(stack.intake, "fab-sh-1", "KR", unit_body("SN-2"))
    filing = await stack.file([unit["id"]])
    for body in ({"reason": "nul \x00 here"}, {"reason": "x" * 501}, {"reason": "ok", "transport_mode": "5; DROP"}):
        r = await stack.intake.post(f"/v1/customs/entry-filings/{filing['id']}/amendment", headers=CLERK, json=body)
        assert r.status_code == 422, (body, r.text)
    r = await stack.intake.post(f"/v1/customs/entry-filings/{filing['id']}/gate-pass", headers=CLERK,
                                json={"vehicle_no": "沪A\x00"})
    assert r.status_code == 422
    r = await stack.intake.post("/v1/customs/entry-filings/nope/resend", headers=CLERK, json={})
    assert r.status_code == 404
    r = await stack.intake.post("/v1/customs/entry-filings", headers=CLERK,
                                json={"unit_ids": ["x" * 65], "transport_mode": "5"})
    assert r.status_code == 422
