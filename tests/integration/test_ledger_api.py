"""The ledger's HTTP API on SQLite and PostgreSQL: roles, lines, items, balances, reconciliation (JSON and CSV),
flags and inconsistencies."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from services.dispatch.api import ledger as ledger_api
from services.dispatch.service import ledger
from services.kit.app import create_app
from shared.contract.events.intake import PartsReceived, UnitRejected
from shared.contract.events.repair import OldPartRecorded
from tests.integration.test_ledger_flow import IN_DOCS, OUT_DOCS, USD, completed, feed, received
from tests.support.runtime import runtime
from tests.support.stack import token

DESK, OFFICER, ADMIN = token("dispatcher"), token("customs_officer"), token("admin")
NOW = datetime.now(timezone.utc).replace(microsecond=0)
DAY = timedelta(days=1)


@pytest.fixture
async def api(db_url, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DISPATCH_LEDGER_CYCLE_DAYS", "100")
    monkeypatch.setenv("DISPATCH_LEDGER_WARNING_DAYS", "10")
    monkeypatch.setenv("DISPATCH_DISPOSAL_WARNING_DAYS", "3")
    rt = runtime("dispatch", db_url, monkeypatch)
    app = create_app(rt, [ledger_api.router], title="t", description="", run_relay=False, run_consumer=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dispatch") as client:
        client.rt = rt  # type: ignore[attr-defined]
        yield client
    await rt.dispose()


async def story(client) -> None:  # type: ignore[no-untyped-def]
    """u1 received 95 days ago (cycle 100: at risk), repaired and exported; u2 received yesterday, rejected; parts."""
    rt = client.rt
    await feed(rt, received("u1", at=NOW - 95 * DAY))
    await feed(rt, completed("u1", at=NOW - 90 * DAY))
    await feed(rt, received("u2", at=NOW - 96 * DAY))
    await feed(rt, UnitRejected(unit_id="u2", owner_id="fab-1", reason="label", return_mode="4561",
                                rejected_at=NOW - 2 * DAY))
    await feed(rt, PartsReceived(receipt_id="r1", part_number="ORING", lot="L1", quantity=12, unit_value=USD,
                                 hs_code="8486909000", origin="foreign", received_at=NOW - 50 * DAY, documents=IN_DOCS))
    await feed(rt, OldPartRecorded(unit_id="u1", old_part_id="op1", work_order_id="wo-u1", owner_id="fab-1",
                                   part_number="ESC", quantity=1, origin="foreign", allowed_routes=["reexport_0864"],
                                   disposal_deadline=NOW + 2 * DAY, removed_at=NOW - 91 * DAY))
    async with rt.uow() as uow:
        await ledger.record_movement(uow, item_id="u1", item_kind="unit", category="repaired_units",
                                     movement="exported", quantity=1, documents=OUT_DOCS, at=NOW - 10 * DAY)
        await uow.commit()


@pytest.mark.parametrize("path", ["/lines", "/items/u1", "/balances", "/flags", "/inconsistencies",
                                  "/reconciliation?from=2026-01-01&to=2026-02-01"])
async def test_who_may_read_the_ledger(api, path):
    await story(api)
    url = f"/v1/ledger{path}"
    assert (await api.get(url)).status_code == 401
    for role in ("technician", "intake_clerk"):
        r = await api.get(url, headers=token(role))
        assert r.status_code == 403 and "dispatcher" in r.json()["detail"]
    assert (await api.get(url, headers=token("partner", "fab-1"))).status_code == 403
    for who in (DESK, OFFICER, ADMIN):
        assert (await api.get(url, headers=who)).status_code == 200


async def test_lines_filtered_and_paginated(api):
    await story(api)
    r = await api.get("/v1/ledger/lines", headers=OFFICER)
    lines = r.json()
    assert len(lines) == 9 and [ln["at"] for ln in lines] == sorted(ln["at"] for ln in lines)
    exported = (await api.get("/v1/ledger/lines?movement=exported", headers=OFFICER)).json()
    assert [(ln["item_id"], ln["category"], ln["documents"]) for ln in exported] == [("u1", "repaired_units", OUT_DOCS)]
    page = (await api.get("/v1/ledger/lines?limit=2&offset=2", headers=OFFICER)).json()
    assert [ln["id"] for ln in page] == [ln["id"] for ln in lines[2:4]]
    since = (NOW - 60 * DAY).isoformat().replace("+00:00", "")  # no offset: taken as UTC
    recent = (await api.get("/v1/ledger/lines", params={"from": since, "category": "units_awaiting_repair"},
                            headers=OFFICER)).json()
    assert [(ln["item_id"], ln["movement"]) for ln in recent] == [("u2", "transferred_out")]
    assert (await api.get("/v1/ledger/lines?item_kind=old_part", headers=DESK)).json()[0]["deadline"]
    assert (await api.get("/v1/ledger/lines?movement=lost", headers=DESK)).status_code == 422
    assert (await api.get("/v1/ledger/lines?limit=0", headers=DESK)).status_code == 422


async def test_an_item_and_where_it_is(api):
    await story(api)
    r = await api.get("/v1/ledger/items/u2", headers=DESK)
    assert r.status_code == 200
    body = r.json()
    assert body["on_hand"] == {"units_awaiting_repair": 0, "unrepairable_units": 1} and body["item_kind"] == "unit"
    assert [ln["movement"] for ln in body["lines"]] == ["received", "transferred_out", "transferred_in"]
    r = await api.get("/v1/ledger/items/nope", headers=DESK)
    assert r.status_code == 404 and "no ledger line" in r.json()["detail"]


async def test_balances_and_their_identity(api):
    await story(api)
    body = (await api.get("/v1/ledger/balances", headers=OFFICER)).json()
    assert body["holds"] is True and "received + transferred_in" in body["identity"]
    rows = {row["category"]: row for row in body["categories"]}
    assert {c: row["on_hand"] for c, row in rows.items()} == {"units_awaiting_repair": 0, "repaired_units": 0,
                                                               "unrepairable_units": 1, "parts": 12, "old_parts": 1,
                                                               "scrap": 0}
    assert rows["repaired_units"].items() >= {"transferred_in": 1, "exported": 1, "identity_holds": True}.items()
    assert body["zone"].items() >= {"received": 15, "exported": 1, "on_hand": 14, "identity_holds": True}.items()
    before = (await api.get("/v1/ledger/balances", params={"as_of": (NOW - 93 * DAY).isoformat()},
                            headers=OFFICER)).json()
    assert {row["category"]: row["on_hand"] for row in before["categories"] if row["on_hand"]} == {
        "units_awaiting_repair": 2}


async def test_reconciliation_as_json_and_csv(api):
    await story(api)
    period = {"from": (NOW - 30 * DAY).isoformat(), "to": NOW.isoformat()}
    body = (await api.get("/v1/ledger/reconciliation", params=period, headers=OFFICER)).json()
    rows = {row["category"]: row for row in body["categories"]}
    assert (rows["repaired_units"]["opening"], rows["repaired_units"]["exported"], rows["repaired_units"]["closing"]) \
        == (1, 1, 0)
    assert (rows["units_awaiting_repair"]["opening"], rows["units_awaiting_repair"]["transferred_out"]) == (1, 1)
    assert body["holds"] is True and body["from"].startswith(period["from"][:19])
    r = await api.get("/v1/ledger/reconciliation", params=period | {"format": "csv"}, headers=OFFICER)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(r.text)))
    assert list(table[0]) == ["category", "opening", "received", "transferred_in", "transferred_out", "consumed",
                              "exported", "released", "destroyed", "closing", "difference", "identity_holds"]
    assert [row["category"] for row in table] == [*rows, "zone"]
    assert table[1] == {**table[1], "opening": "1", "exported": "1", "closing": "0", "identity_holds": "true"}
    bad = await api.get("/v1/ledger/reconciliation", params={"from": NOW.isoformat(), "to": NOW.isoformat()},
                        headers=OFFICER)
    assert bad.status_code == 422 and "before its end" in bad.json()["detail"]
    assert (await api.get("/v1/ledger/reconciliation?from=2026-01-01", headers=OFFICER)).status_code == 422
    assert (await api.get("/v1/ledger/reconciliation?from=2026-01-01&to=2026-02-01&format=xml",
                          headers=OFFICER)).status_code == 422


async def test_flags_use_the_configured_cycle_and_warning_days(api):
    await story(api)
    body = (await api.get("/v1/ledger/flags", headers=DESK)).json()
    assert body["policy"] == {"cycle_days": 100, "warning_days": 10, "disposal_warning_days": 3}
    found = {(f["reason"], f["item_id"]): (f["status"], f["days_left"]) for f in body["flags"]}
    assert found == {("ledger_cycle", "u2"): ("at_risk", 3), ("disposal_deadline", "op1"): ("at_risk", 1),
                     ("ledger_cycle", "op1"): ("at_risk", 8)}  # days left, rounded down
    everything = (await api.get("/v1/ledger/flags?include_ok=true", headers=DESK)).json()["flags"]
    assert {f["item_id"] for f in everything} == {"u2", "op1", "ORING@L1"}
    assert (await api.get("/v1/ledger/flags?status=breached", headers=DESK)).json()["flags"] == []


async def test_inconsistencies_list_what_does_not_add_up(api):
    await story(api)
    assert (await api.get("/v1/ledger/inconsistencies", headers=OFFICER)).json()["count"] == 0
    await feed(api.rt, completed("ghost", at=NOW - DAY))  # repair finished a unit the ledger never received
    await feed(api.rt, PartsReceived(receipt_id="r9", part_number="FUSE", lot="F1", quantity=1, unit_value=USD,
                                     hs_code="8486909000", origin="foreign", received_at=NOW - DAY))  # no document
    body = (await api.get("/v1/ledger/inconsistencies", headers=OFFICER)).json()
    assert sorted((i["code"], i["item_id"]) for i in body["inconsistencies"]) == [
        ("exit_without_entry", "ghost"), ("undocumented_movement", "FUSE@F1")]
    assert (await api.get("/v1/ledger/balances", headers=OFFICER)).json()["holds"] is False
