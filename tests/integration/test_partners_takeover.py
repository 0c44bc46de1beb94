"""Upgrading an installation whose dispatch held the journal and webhooks (issue 13): partners takes them over.

A dispatch database at revision 0009 (the last that kept them) is filled as the old dispatch left it; dispatch is
then upgraded (its old tables renamed) and partners starts on an empty database of its own. Every feed cursor,
endpoint, secret and delivery log must still work through partners' API, and the consumer's sequences carry on.
"""
from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from sqlalchemy import MetaData, Table, func, inspect, select

from services.kit import migrations
from services.kit.db import make_engine
from services.partners import bootstrap
from services.partners.db.journal import JOURNAL_TABLE
from services.partners.db.legacy_import import TwoJournals, import_from_dispatch
from services.partners.service.owners import encode_cursor
from shared.contract.events.dispatch import ItemDelivered, ShipmentFacts
from shared.contract.registry import REGISTRY
from tests.conftest import _need_pg
from tests.support import pg
from tests.support.runtime import deliver, runtime
from tests.support.stack import token

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
SECRET = "whsec_" + "A" * 43
INTAKE, REPAIR = "/bondline/intake", "/bondline/repair"
SHIPMENT = ShipmentFacts(shipment_id="s1", carrier="SF", tracking_number="T1", destination_country="DE",
                         incoterm="DAP")


@pytest.fixture(params=["sqlite", "postgresql"])
def urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/dispatch.db", f"sqlite+aiosqlite:///{tmp_path}/partners.db"
        return
    _need_pg()
    made = [pg.create_database("bondline_takeover_dispatch"), pg.create_database("bondline_takeover_partners")]
    try:
        yield made[0], made[1]
    finally:
        for url in made:
            pg.drop_database(url)


def _journal(seq: int, event: str, owner: str, source: str, kind: str, sequence: int) -> dict[str, Any]:
    return {"seq": seq, "event_id": event, "type": f"com.bondline.{source.split('/')[-1]}.{kind}.v1",
            "source": source, "unit_id": "u1" if owner == "fab-a" else "u2", "owner_id": owner,
            "occurred_at": T0.replace(hour=seq), "sequence": sequence, "recorded_at": T0.replace(hour=seq),
            "data": {"unit_id": "u1" if owner == "fab-a" else "u2", "owner_id": owner}}


OLD = {
    "journal": [_journal(1, "e1", "fab-a", INTAKE, "unit.announced", 1), _journal(2, "e2", "fab-b", INTAKE,
                "unit.announced", 1), _journal(3, "e3", "fab-a", INTAKE, "unit.received", 2),
                _journal(4, "e4", "fab-a", REPAIR, "work_order.opened", 1)],
    "unit_status": [{"unit_id": "u1", "owner_id": "fab-a", "serial_number": "SN-1", "part_number": "RF-GEN-13",
                     "hs_code": "8486909000", "origin": "foreign", "stage": "repair", "state": "queued",
                     "work_order_id": "wo-1", "quote_pending": False, "last_event_type": "x", "updated_at": T0,
                     "first_seen_at": T0},
                    {"unit_id": "u2", "owner_id": "fab-b", "serial_number": "SN-2", "part_number": "RF-GEN-13",
                     "hs_code": "8486909000", "origin": "foreign", "stage": "dispatch", "state": "shipped",
                     "work_order_id": "wo-2", "quote_pending": False, "last_event_type": "x", "updated_at": T0,
                     "first_seen_at": T0}],
    "webhook_endpoints": [{"id": "ep-1", "owner_id": "fab-a", "url": "https://hooks.fab-a.example/bondline",
                           "description": "ERP", "event_types": [], "secrets": [{"secret": SECRET,
                                                                                 "expires_at": None}],
                           "enabled": True, "cursor_seq": 4, "disabled_reason": None, "created_at": T0,
                           "updated_by": "partner:fab-a", "version": 3}],
    "webhook_deliveries": [{"id": "d-1", "endpoint_id": "ep-1", "owner_id": "fab-a", "journal_seq": 1,
                            "event_id": "e1", "event_type": "com.bondline.intake.unit.announced.v1",
                            "status": "delivered", "attempts": 2, "next_attempt_at": None, "last_status_code": 200,
                            "last_error": None, "created_at": T0, "delivered_at": T0}],
    "webhook_attempts": [{"id": 7, "delivery_id": "d-1", "attempt": 1, "at": T0, "status_code": 503,
                          "error": "busy", "duration_ms": 40, "manual": False},
                         {"id": 8, "delivery_id": "d-1", "attempt": 2, "at": T0, "status_code": 200, "error": None,
                          "duration_ms": 12, "manual": False}],
    "event_sequences": [{"consumer": "bondline.dispatch", "source": INTAKE, "key": "u1", "last_seq": 2},
                        {"consumer": "bondline.dispatch", "source": REPAIR, "key": "u1", "last_seq": 1}],
}


async def _old_dispatch(url: str) -> None:
    """Dispatch as the last release that kept the journal left it: migrated to 0009, with data."""
    cfg = migrations.config(ROOT / "services" / "dispatch" / "migrations", url)
    await asyncio.to_thread(command.upgrade, cfg, "0009")  # alembic runs its own event loop
    engine = make_engine(url, 2)
    async with engine.begin() as conn:
        tables = await conn.run_sync(lambda c: {n: Table(n, MetaData(), autoload_with=c) for n in OLD})
        for name, rows in OLD.items():
            await conn.execute(tables[name].insert(), rows)
    await engine.dispose()


@pytest.fixture
async def partners(urls, monkeypatch):  # type: ignore[no-untyped-def]
    dispatch_url, partners_url = urls
    await _old_dispatch(dispatch_url)
    runtime("dispatch", dispatch_url, monkeypatch)  # the upgrade: dispatch renames its old tables
    monkeypatch.setenv("PARTNERS_IMPORT_FROM_URL", dispatch_url)
    rt = runtime("partners", partners_url, monkeypatch)  # first start: the takeover
    app = bootstrap.build_app(rt, run_relay=False, run_consumer=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://partners") as client:
        client.rt = rt  # type: ignore[attr-defined]
        yield client
    await rt.dispose()


async def test_dispatch_keeps_its_old_tables_renamed_not_dropped(partners, urls):
    engine = make_engine(urls[0], 2)
    async with engine.connect() as conn:
        names = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        moved = await conn.run_sync(lambda c: Table("moved_to_partners_journal", MetaData(), autoload_with=c))
        assert await conn.scalar(select(func.count()).select_from(moved)) == 4
    await engine.dispose()
    assert "journal" not in names and {f"moved_to_partners_{n}" for n in OLD if n != "event_sequences"} <= names


async def test_a_feed_cursor_handed_out_before_the_upgrade_resumes(partners):
    r = await partners.get("/v1/owner/feed", params={"cursor": encode_cursor(1)}, headers=token("partner", "fab-a"))
    assert r.status_code == 200, r.text
    assert [e["id"] for e in r.json()["events"]] == ["e3", "e4"]
    everything = (await partners.get("/v1/owner/feed", headers=token("partner", "fab-b"))).json()["events"]
    assert [e["id"] for e in everything] == ["e2"]


async def test_endpoints_secrets_and_delivery_log_survive(partners):
    fab_a = token("partner", "fab-a")
    secret = (await partners.get("/v1/webhooks/endpoints/ep-1/secret", headers=fab_a)).json()
    assert [s["secret"] for s in secret["secrets"]] == [SECRET]
    endpoint = (await partners.get("/v1/webhooks/endpoints/ep-1", headers=fab_a)).json()
    assert (endpoint["url"], endpoint["version"], endpoint["enabled"]) == ("https://hooks.fab-a.example/bondline", 3,
                                                                         True)
    deliveries = (await partners.get("/v1/webhooks/deliveries", headers=fab_a)).json()
    assert [(d["id"], d["status"], d["attempts"]) for d in deliveries["deliveries"]] == [("d-1", "delivered", 2)]
    one = (await partners.get("/v1/webhooks/deliveries/d-1", headers=fab_a)).json()
    assert [(a["attempt"], a["status_code"]) for a in one["history"]] == [(1, 503), (2, 200)]
    assert (await partners.get("/v1/owner/units/u1", headers=fab_a)).json()["state"] == "queued"
    shipped = (await partners.get("/v1/owner/units/u2", headers=token("partner", "fab-b"))).json()
    assert (shipped["stage"], shipped["state"]) == ("left", "shipped")  # moved into the one vocabulary of stages


async def test_new_events_journal_after_the_old_ones_and_sequences_carry_on(partners):
    rt = partners.rt
    e = ItemDelivered(unit_id="u1", item_id="u1", item_kind="unit", owner_id="fab-a", at=T0, shipment=SHIPMENT)
    await deliver(rt, e, REGISTRY.to_event(e, "/bondline/dispatch"))
    r = await partners.get("/v1/owner/feed", params={"cursor": encode_cursor(4)}, headers=token("partner", "fab-a"))
    assert [e["type"] for e in r.json()["events"]] == ["com.bondline.dispatch.item.delivered.v1"]
    async with rt.sessions() as s:
        seqs = await s.execute(select(rt.d.sequences.seen.c.source, rt.d.sequences.seen.c.last_seq)
                               .where(rt.d.sequences.seen.c.consumer == "bondline.partners"))
        assert dict(seqs.all()) == {INTAKE: 2, REPAIR: 1}
        top = await s.scalar(select(func.max(JOURNAL_TABLE.c.seq)))
    assert top == 5


async def test_the_takeover_happens_once(partners, urls, monkeypatch):
    again = runtime("partners", urls[1], monkeypatch)  # a restart, or a second replica
    async with again.sessions() as s:
        imports = (await s.execute(select(bootstrap.tables.legacy_imports))).mappings().all()
    await again.dispose()
    assert len(imports) == 1 and imports[0]["counts"]["journal"] == 4
    assert imports[0]["counts"]["webhook_attempts"] == 2 and imports[0]["counts"]["event_sequences"] == 2
    feed = (await partners.get("/v1/owner/feed", headers=token("partner", "fab-a"))).json()["events"]
    assert [e["id"] for e in feed] == ["e1", "e3", "e4"]


async def test_two_journals_are_never_merged(urls, monkeypatch):
    dispatch_url, partners_url = urls
    await _old_dispatch(dispatch_url)
    rt = runtime("partners", partners_url, monkeypatch)  # partners ran first, with no import configured
    e = ItemDelivered(unit_id="u9", item_id="u9", item_kind="unit", owner_id="fab-z", at=T0, shipment=SHIPMENT)
    await deliver(rt, e, REGISTRY.to_event(e, "/bondline/dispatch"))
    await rt.dispose()
    monkeypatch.setenv("PARTNERS_IMPORT_FROM_URL", dispatch_url)
    with pytest.raises(TwoJournals, match="would give two events one feed cursor"):
        runtime("partners", partners_url, monkeypatch)


@pytest.mark.parametrize("urls", ["postgresql"], indirect=True)  # replicas need PostgreSQL (SQLite: one writer)
async def test_replicas_starting_together_take_over_once_and_both_start(urls, monkeypatch):
    """Two partners replicas right after the upgrade (PostgreSQL: replicas need it): one copies, the other waits on
    the takeover's advisory lock, then finds it done; neither fails (one used to exit on the legacy_imports key)."""
    dispatch_url, partners_url = urls
    await _old_dispatch(dispatch_url)
    runtime("dispatch", dispatch_url, monkeypatch)
    await asyncio.to_thread(migrations.upgrade, ROOT / "services" / "partners" / "migrations", partners_url)
    source, targets = make_engine(dispatch_url, 2), [make_engine(partners_url, 2) for _ in range(2)]
    try:
        results = await asyncio.gather(*(import_from_dispatch(source, t) for t in targets))
    finally:
        for engine in (source, *targets):
            await engine.dispose()
    copied = [r for r in results if r is not None]
    assert len(copied) == 1 and copied[0]["journal"] == 4 and results.count(None) == 1, results
