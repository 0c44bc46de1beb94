"""Exchange-pool allocation changes the owner of bonded goods (issue 14, section 3), on SQLite and PostgreSQL.

Only an owner intake registered can receive an allocation; the ledger records the change of owner as a pair of
lines (out for the old owner, in for the new one) with the allocation's document, so that what each owner holds
in bond is true before and after, and every line, flag and filter names the owner of the moment.
"""
from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest

from services.dispatch.bootstrap import build_app
from shared.contract.events.common import Money
from shared.contract.events.intake import OwnerRegistered, UnitReceived
from shared.contract.events.repair import WorkOrderCompleted
from shared.contract.registry import REGISTRY
from tests.support.runtime import deliver, runtime
from tests.support.stack import token

DESK, OFFICER = token("dispatcher"), token("customs_officer")
NOW = datetime.now(timezone.utc)
DOCS = {"bonded_inventory_list": "QD224426I000000001", "gate_pass": "HF224426000000001"}


@pytest.fixture
async def api(db_url, monkeypatch):  # type: ignore[no-untyped-def]
    rt = runtime("dispatch", db_url, monkeypatch)
    app = build_app(rt, run_relay=False, run_consumer=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dispatch") as client:
        client.rt = rt  # type: ignore[attr-defined]
        yield client
    await rt.dispose()


async def feed(api, *payloads) -> None:  # type: ignore[no-untyped-def]
    for payload in payloads:
        await deliver(api.rt, payload, REGISTRY.to_event(payload, "/bondline/intake"), projections=False)


def registered(owner: str) -> OwnerRegistered:
    return OwnerRegistered(owner_id=owner, name=f"Owner {owner}", kind="overseas", country="SG", group="g1",
                           registered_at=NOW)


async def pooled(api, unit_id: str) -> None:  # type: ignore[no-untyped-def]
    """A repaired unit of fab-1, decided into the exchange pool."""
    await feed(api, registered("fab-1"), UnitReceived(
        unit_id=unit_id, owner_id="fab-1", serial_number=f"SN-{unit_id}", part_number="P", hs_code="8486909000",
        origin="foreign", origin_country="KR", declared_value=Money(amount="42000.00", currency="USD"),
        custody_location="awaiting repair", received_at=NOW, catalogue_version=1, owner_group="g1", documents=DOCS),
        WorkOrderCompleted(unit_id=unit_id, work_order_id=f"wo-{unit_id}", owner_id="fab-1", outcome="repaired",
                           repair_fee=Money(amount="1800.00", currency="CNY"), completed_at=NOW))
    r = await api.post(f"/v1/items/{unit_id}/decision", json={"destination": "exchange_pool"}, headers=DESK)
    assert r.status_code == 200, r.text


async def on_hand(api, owner: str) -> int:  # type: ignore[no-untyped-def]
    body = (await api.get("/v1/ledger/balances", params={"owner_id": owner}, headers=OFFICER)).json()
    assert body["holds"], body  # the identities hold for one owner's lines too
    return sum(c["on_hand"] for c in body["categories"])


async def test_only_a_registered_owner_receives_an_allocation(api):
    await pooled(api, "u1")
    r = await api.post("/v1/items/u1/allocation", json={"owner_id": "nobody"}, headers=DESK)
    assert r.status_code == 422 and "not registered" in r.json()["detail"], r.text
    assert r.json()["context"]["rule"] == "registered_owner"
    item = (await api.get("/v1/items/u1", headers=DESK)).json()["item"]
    assert (item["owner_id"], item["state"]) == ("fab-1", "exchange_pool")  # nothing of the refusal stored


async def test_the_ledger_records_the_change_of_owner(api):
    await pooled(api, "u2")
    await feed(api, registered("fab-2"))
    assert (await on_hand(api, "fab-1"), await on_hand(api, "fab-2")) == (1, 0)
    r = await api.post("/v1/items/u2/allocation", json={"owner_id": "fab-2"}, headers=DESK)
    assert r.status_code == 200, r.text
    assert (await on_hand(api, "fab-1"), await on_hand(api, "fab-2")) == (0, 1)
    lines = (await api.get("/v1/ledger/items/u2", headers=OFFICER)).json()["lines"]
    moves = [(ln["movement"], ln["owner_id"]) for ln in lines if ln["movement"].startswith("transferred")
             and ln["documents"].get("allocation")]
    assert moves == [("transferred_out", "fab-1"), ("transferred_in", "fab-2")]
    assert {ln["documents"]["previous_owner"] for ln in lines if ln["documents"].get("allocation")} == {"fab-1"}
    theirs = (await api.get("/v1/ledger/lines", params={"owner_id": "fab-2"}, headers=OFFICER)).json()
    assert [ln["item_id"] for ln in theirs] == ["u2"]
    whole = (await api.get("/v1/ledger/balances", headers=OFFICER)).json()
    assert whole["holds"] and whole["zone"]["on_hand"] == 1  # the zone holds the unit once, as before


async def test_flags_name_the_owner_of_the_moment(api):
    await pooled(api, "u3")
    await feed(api, registered("fab-3"))
    await api.post("/v1/items/u3/allocation", json={"owner_id": "fab-3"}, headers=DESK)
    flags = (await api.get("/v1/ledger/flags", params={"include_ok": "true"}, headers=OFFICER)).json()["flags"]
    assert {f["owner_id"] for f in flags if f["item_id"] == "u3"} == {"fab-3"}
