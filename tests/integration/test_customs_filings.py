"""Exit filings against the customs simulator (in process, over HTTP): the list built from the items and the account
book goes out as XML, the numbers come back in receipts, a rejected list is corrected and resent, an inspection
instructed by customs is recorded, the gate pass follows the release, a list is cancelled; a platform that is away
loses nothing. SQLite and PostgreSQL."""
from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from services.customs_simulator.app import create_app as simulator
from services.customs_simulator.settings import SimulatorSettings
from services.dispatch.adapters import customs_worker
from services.dispatch.adapters.customs_platform import HttpPlatform
from shared.contract.customs import numbers
from tests.integration.test_dispatch_flow import api, unit  # noqa: F401 - the api fixture
from tests.support.stack import token

DESK, OFFICER, ADMIN = token("dispatcher"), token("customs_officer"), token("admin")
BOOK = {"book_no": "H2244B000001", "enterprise_code": "3122W60001", "enterprise_name": "Lingang Bonded Repair",
        "customs_district": "2244", "valid_from": "2026-01-01", "valid_to": "2027-12-31"}
ITEM = {"kind": "unit", "material_no": "P", "hs_code": "8486909000", "goods_name": "射频发生器 RF generator",
        "declared_unit": "001", "unit_price": "42000.00", "currency": "USD", "legal_per_declared": "38.5"}


@pytest.fixture
async def platform() -> AsyncIterator[tuple[HttpPlatform, httpx.AsyncClient]]:
    app = simulator(SimulatorSettings(release_delay_s=0, inspection_delay_s=0))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://customs") as control:
        p = HttpPlatform("http://customs", transport=transport)
        yield p, control
        await p.close()


async def _decided(api, unit_id: str) -> None:  # type: ignore[no-untyped-def]
    await unit(api, unit_id)
    r = await api.post(f"/v1/items/{unit_id}/decision", headers=DESK,
                       json={"destination": "re_export", "destination_country": "DE"})
    assert r.status_code == 200, r.text


async def _book(api) -> None:  # type: ignore[no-untyped-def]
    assert (await api.post("/v1/account-book", json=BOOK, headers=ADMIN)).status_code == 201
    assert (await api.post("/v1/account-book/items", json=ITEM, headers=ADMIN)).status_code == 201


async def _round(api, p: HttpPlatform, times: int = 2) -> None:  # type: ignore[no-untyped-def]
    for _ in range(times):  # send what waits, read receipts (released ones are due at the next read)
        await customs_worker.step(api.rt, p)


async def test_the_numbers_come_from_customs_receipts_and_the_gate_pass_follows_the_release(api, platform):
    p, _control = platform
    await _book(api)
    for u in ("u1", "u2"):
        await _decided(api, u)
    r = await api.post("/v1/customs/exit-filings", headers=DESK, json={"item_ids": ["u1", "u2"],
                                                                        "transport_mode": "5"})
    assert r.status_code == 202, r.text
    filing = r.json()
    assert filing["state"] == "sent" and filing["inventory_list_no"] is None, "no number before customs gives one"
    (message,) = filing["messages"]
    assert message["state"] == "pending" and "<book_item_no>1</book_item_no>" in message["document"]
    assert "<legal_quantity>38.50000</legal_quantity>" in message["document"] and "SN-u2" in message["document"]
    await _round(api, p)
    filing = (await api.get(f"/v1/customs/exit-filings/{filing['id']}", headers=OFFICER)).json()
    assert filing["state"] == "released", filing["history"]
    assert numbers.valid("inventory_list", filing["inventory_list_no"]) and filing["inventory_list_no"][8] == "E"
    assert filing["messages"][0]["state"] == "sent"
    assert [x["kind"] for x in filing["receipts"]] == ["accepted", "released"]
    assert all(x["simulated"] for x in filing["receipts"]), "the simulator's receipts say they are simulated"
    r = await api.post(f"/v1/customs/exit-filings/{filing['id']}/gate-pass", headers=DESK,
                       json={"vehicle_no": "沪A12345"})
    assert r.status_code == 202, r.text
    await _round(api, p)
    filing = (await api.get(f"/v1/customs/exit-filings/{filing['id']}", headers=OFFICER)).json()
    assert filing["state"] == "closed" and numbers.valid("gate_pass", filing["gate_pass_no"])


async def test_a_rejected_list_is_corrected_and_resent_and_a_receipt_read_twice_counts_once(api, platform):
    p, control = platform
    await _book(api)
    await _decided(api, "u1")
    await control.post("/v1/control", json={"reject_next": "商品编码与备案不符 HS code differs from the book",
                                            "duplicate_next": True})
    filing = (await api.post("/v1/customs/exit-filings", headers=DESK,
                             json={"item_ids": ["u1"], "transport_mode": "5"})).json()
    await _round(api, p)
    filing = (await api.get(f"/v1/customs/exit-filings/{filing['id']}", headers=DESK)).json()
    assert filing["state"] == "rejected" and "HS code differs" in filing["reason"]
    assert [x["kind"] for x in filing["receipts"]] == ["rejected"], "a duplicated receipt is stored once"
    r = await api.post(f"/v1/customs/exit-filings/{filing['id']}/resend", headers=DESK, json={})
    assert r.status_code == 202
    await _round(api, p)
    filing = (await api.get(f"/v1/customs/exit-filings/{filing['id']}", headers=DESK)).json()
    assert filing["state"] == "released" and len(filing["messages"]) == 2 and filing["reason"] is None
    rejected = (await api.get("/v1/customs/exit-filings", headers=DESK, params={"state": "rejected"})).json()
    assert rejected == []


async def test_an_inspection_instructed_by_customs_is_recorded_and_a_list_is_cancelled(api, platform):
    p, control = platform
    await _book(api)
    await _decided(api, "u1")
    await control.post("/v1/control", json={"inspect_next": "remote_video", "delay_next_s": 3600})
    filing = (await api.post("/v1/customs/exit-filings", headers=DESK,
                             json={"item_ids": ["u1"], "transport_mode": "5"})).json()
    await _round(api, p)
    filing = (await api.get(f"/v1/customs/exit-filings/{filing['id']}", headers=DESK)).json()
    assert (filing["inspection"], filing["state"]) == ("remote_video", "inspection"), "customs decides, not bondline"
    r = await api.post(f"/v1/customs/exit-filings/{filing['id']}/gate-pass", headers=DESK, json={"vehicle_no": "沪A1"})
    assert r.status_code == 409 and "once its list is released" in r.json()["detail"]
    r = await api.post(f"/v1/customs/exit-filings/{filing['id']}/cancellation", headers=DESK,
                       json={"reason": "the owner changed the destination"})
    assert r.status_code == 202, r.text
    await _round(api, p)
    filing = (await api.get(f"/v1/customs/exit-filings/{filing['id']}", headers=DESK)).json()
    assert filing["state"] == "cancelled" and [x["kind"] for x in filing["messages"]] == [
        "inventory_list", "cancellation"]


async def test_a_declared_exit_list_is_amended_by_a_message_customs_answers(api, platform):
    p, control = platform
    await _book(api)
    await _decided(api, "u1")
    await control.post("/v1/control", json={"delay_next_s": 3600})  # customs holds the list a while
    filing = (await api.post("/v1/customs/exit-filings", headers=DESK,
                             json={"item_ids": ["u1"], "transport_mode": "5"})).json()
    path = f"/v1/customs/exit-filings/{filing['id']}"
    r = await api.post(f"{path}/amendment", headers=DESK, json={"reason": "by sea"})
    assert r.status_code == 409 and "only a list customs accepted" in r.json()["detail"], "nothing to amend yet"
    await _round(api, p)
    r = await api.post(f"{path}/amendment", headers=DESK, json={"reason": "by sea, not by air", "transport_mode": "2"})
    assert r.status_code == 202 and r.json()["change_waiting"], r.text
    r = await api.post(f"{path}/gate-pass", headers=DESK, json={"vehicle_no": "沪A1"})
    assert r.status_code == 409 and "waits for customs' answer" in r.json()["detail"]
    await _round(api, p)
    filing = (await api.get(path, headers=DESK)).json()
    assert (filing["state"], filing["change_waiting"], filing["transport_mode"]) == ("accepted", False, "2")
    amendment = filing["messages"][1]
    assert amendment["kind"] == "amendment" and f"<refers_to>{filing['inventory_list_no']}" in amendment["document"]
    assert "<transport_mode>2</transport_mode>" in amendment["document"]
    await control.post("/v1/control", json={"reject_next": "修改理由不充分 reason not sufficient"})
    await api.post(f"{path}/amendment", headers=DESK, json={"reason": "again"})
    await _round(api, p)
    filing = (await api.get(path, headers=DESK)).json()
    assert (filing["state"], filing["change_waiting"]) == ("accepted", False) and "not sufficient" in filing["reason"]


async def test_bad_filings_are_refused_and_a_platform_away_loses_nothing(api, platform):
    p, _control = platform
    await _decided(api, "u1")
    r = await api.post("/v1/customs/exit-filings", headers=DESK, json={"item_ids": ["u1"], "transport_mode": "5"})
    assert r.status_code == 404 and "no account book" in r.json()["detail"]
    await _book(api)
    await unit(api, "u2")  # no destination decided
    r = await api.post("/v1/customs/exit-filings", headers=DESK, json={"item_ids": ["u2"], "transport_mode": "5"})
    assert r.status_code == 422 and "no destination decided" in r.json()["detail"]
    r = await api.post("/v1/customs/exit-filings", headers=OFFICER, json={"item_ids": ["u1"], "transport_mode": "5"})
    assert r.status_code == 403
    filing = (await api.post("/v1/customs/exit-filings", headers=DESK,
                             json={"item_ids": ["u1"], "transport_mode": "5"})).json()
    away = HttpPlatform("http://127.0.0.1:9")  # nothing listens there
    await customs_worker.step(api.rt, away)
    await away.close()
    (message,) = (await api.get(f"/v1/customs/exit-filings/{filing['id']}", headers=DESK)).json()["messages"]
    assert message["state"] == "pending" and message["attempts"] == 1 and "unreachable" in message["last_error"]
    await _round(api, p)
    assert (await api.get(f"/v1/customs/exit-filings/{filing['id']}", headers=DESK)).json()["state"] == "released"


EXIT = {"supervision_mode": "1371", "gate_pass_type": "2", "outbound_record_list_no": "OR2244260000000001"}


async def test_the_exit_is_declared_with_the_numbers_from_customs_and_typing_them_is_an_audited_override(api, platform):
    p, _control = platform
    api.rt.d.settings.customs_platform_url = "http://customs"  # a platform is connected: receipts give the numbers
    await _book(api)
    for u in ("u1", "u2"):
        await _decided(api, u)
    filing = (await api.post("/v1/customs/exit-filings", headers=DESK,
                             json={"item_ids": ["u1"], "transport_mode": "5"})).json()
    await _round(api, p)
    r = await api.post("/v1/items/u1/exit-declaration", headers=DESK, json=EXIT | {"filing_id": filing["id"]})
    assert r.status_code == 409 and "accepted its gate pass" in r.json()["detail"]
    await api.post(f"/v1/customs/exit-filings/{filing['id']}/gate-pass", headers=DESK, json={"vehicle_no": "沪A1"})
    await _round(api, p)
    filing = (await api.get(f"/v1/customs/exit-filings/{filing['id']}", headers=DESK)).json()
    r = await api.post("/v1/items/u1/exit-declaration", headers=DESK,
                       json=EXIT | {"filing_id": filing["id"], "gate_pass_no": "HF224426E000000999"})
    assert r.status_code == 422 and "is not the number customs gave" in r.json()["detail"]
    r = await api.post("/v1/items/u2/exit-declaration", headers=DESK, json=EXIT | {"filing_id": filing["id"]})
    assert r.status_code == 422 and "not on filing" in r.json()["detail"]
    r = await api.post("/v1/items/u1/exit-declaration", headers=DESK, json=EXIT | {"filing_id": filing["id"]})
    assert r.status_code == 200, r.text
    docs = r.json()["item"]["exit_documents"]
    assert (docs["bonded_inventory_list_no"], docs["gate_pass_no"]) == (filing["inventory_list_no"],
                                                                        filing["gate_pass_no"])
    typed = EXIT | {"gate_pass_no": "HF224426E000000777", "bonded_inventory_list_no": "QD224426E000000777"}
    r = await api.post("/v1/items/u2/exit-declaration", headers=DESK, json=typed)
    assert r.status_code == 422 and "needs override_reason" in r.json()["detail"]
    r = await api.post("/v1/items/u2/exit-declaration", headers=DESK,
                       json=typed | {"override_reason": "platform down all day; numbers phoned in by the officer"})
    assert r.status_code == 200, r.text
    (entry,) = [h for h in r.json()["item"]["history"] if h["action"] == "numbers_typed"]
    assert entry["reason"].startswith("platform down") and entry["documents"]["gate_pass_no"] == "HF224426E000000777"


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_one_customs_worker_at_a_time_and_a_lost_connection_hands_over(api, monkeypatch):
    from services.dispatch.bootstrap import define
    from services.kit.runtime import Runtime

    monkeypatch.setenv("DISPATCH_DATABASE_URL", str(api.rt.engine.url.render_as_string(hide_password=False)))
    other = Runtime(define())
    first, second = customs_worker.Leadership(api.rt), customs_worker.Leadership(other)
    try:
        assert await first.holds() and not await second.holds(), "the second instance waits"
        assert await first.holds(), "the holder keeps it round after round"
        assert first.conn is not None
        await first.conn.invalidate()  # the holder's connection is gone (database restart, network)
        assert not await first.holds() and await second.holds(), "the lock went with it: the other takes over"
    finally:
        await first.release()
        await second.release()
        await other.dispose()
