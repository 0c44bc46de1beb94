"""The HTTP APIs in process (no broker, no lifespan) on real SQLite and PostgreSQL."""
from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import re
from collections.abc import AsyncIterator

import httpx
from sqlalchemy import func, select

from services.intake.db.tables import OwnerRow, UnitRow, outbox
from services.intake.domain.owners import CreditTier
from services.kit.auth import issue_token
from services.kit.settings import DEV_JWT_SECRET
from tests.support.intake import UNIT_EVENT, declaration_body, owner_body, unit_body
from tests.support.runtime import runtime


def auth(role: str, subject: str = "ann", secret: str = DEV_JWT_SECRET, ttl: int = 60) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(secret, subject, role, ttl_minutes=ttl)}"}


CLERK = auth("intake_clerk")


def request(*units: dict, origin: str = "KR") -> dict:
    return {"owner_id": "fab-sh-1", "origin": origin, "units": list(units)}


@contextlib.asynccontextmanager
async def serve(service: str, db_url: str, monkeypatch) -> AsyncIterator[tuple[httpx.AsyncClient, object]]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("INTAKE_INSPECTION_RATES", json.dumps({t.value: 0 for t in CreditTier}))  # never selected
    rt = runtime(service, db_url, monkeypatch)
    app = importlib.import_module(f"services.{service}.bootstrap").build_app(rt, run_relay=False, run_consumer=False)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            if service == "intake":
                assert (await client.post("/v1/owners", json=owner_body(), headers=CLERK)).status_code == 201
            yield client, rt
    finally:
        await rt.dispose()


async def received_unit(c: httpx.AsyncClient, serial: str, headers: dict[str, str] = CLERK) -> str:
    [unit] = (await c.post("/v1/repair-requests", json=request(unit_body(serial)), headers=headers)).json()["units"]
    assert (await c.post("/v1/declarations", json=declaration_body([unit["id"]]), headers=headers)).status_code == 201
    r = await c.post(f"/v1/units/{unit['id']}/receipt", headers=headers,
                     json={"serial_number": serial, "part_number": unit["part_number"]})
    assert r.json()["state"] == "received", r.text
    return unit["id"]


def gauge(text: str, name: str) -> float:
    found = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    assert found, f"{name} missing from /metrics"
    return float(found.group(1))


async def test_tokens_and_roles(db_url, monkeypatch):
    async with serve("intake", db_url, monkeypatch) as (c, _):
        body = request(unit_body("SN-1"))
        missing = await c.post("/v1/repair-requests", json=body)
        assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
        assert "missing bearer token" in missing.json()["detail"]
        for bad in ({"Authorization": "Bearer not.a.token"}, auth("admin", secret="x" * 40), auth("admin", ttl=-1)):
            r = await c.get("/v1/units", headers=bad)
            assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
            assert r.json()["detail"].startswith("invalid token")
        denied = await c.post("/v1/repair-requests", json=body, headers=auth("technician"))
        assert denied.status_code == 403
        assert denied.json()["detail"] == "role technician may not do this; allowed: admin, intake_clerk, partner"
        assert (await c.post("/v1/owners", json=owner_body("x"), headers=auth("dispatcher"))).status_code == 403


async def test_clerk_announces_and_the_rows_record_the_actor(db_url, monkeypatch):
    async with serve("intake", db_url, monkeypatch) as (c, rt):
        r = await c.post("/v1/repair-requests", json=request(unit_body("SN-1")), headers=auth("intake_clerk", "bo"))
        assert r.status_code == 201, r.text
        [unit] = r.json()["units"]
        assert unit["state"] == "announced" and unit["declared_value"] == "42000.00" and unit["version"] == 1
        async with rt.sessions() as s:
            row = await s.get(UnitRow, unit["id"])
            owner = await s.get(OwnerRow, "fab-sh-1")
        assert row.created_by == row.updated_by == "intake_clerk:bo" and owner.created_by == "intake_clerk:ann"
        got = await c.get(f"/v1/units/{unit['id']}", headers=auth("technician"))
        assert got.status_code == 200 and got.json()["history"][0]["actor"] == "intake_clerk:bo"


async def test_admin_may_do_everything(db_url, monkeypatch):
    async with serve("intake", db_url, monkeypatch) as (c, rt):
        admin = auth("admin", "root")
        unit_id = await received_unit(c, "SN-1", headers=admin)
        released = await c.post(f"/v1/units/{unit_id}/release", headers=admin)
        assert released.status_code == 200 and released.json()["state"] == "released_to_repair"
        listed = await c.get("/v1/units", params={"state": "released_to_repair"}, headers=admin)
        assert [u["id"] for u in listed.json()] == [unit_id]
        assert (await c.get("/v1/dead-letters", headers=admin)).json() == []
        assert (await c.get("/v1/dead-letters", headers=CLERK)).status_code == 403
        async with rt.sessions() as s:
            assert await s.scalar(select(UnitRow.updated_by)) == "admin:root"


async def test_invalid_requests_get_clear_422s_and_write_nothing(db_url, monkeypatch):
    async with serve("intake", db_url, monkeypatch) as (c, rt):
        units = [unit_body("SN-1", hs_code="84869"), unit_body("SN-2", currency="usd"),
                 unit_body("SN-3", declared_value="-5.00")]
        r = await c.post("/v1/repair-requests", json=request(*units), headers=CLERK)
        assert r.status_code == 422 and r.json()["detail"].startswith("repair request refused: 3 problem(s)")
        assert r.json()["context"]["errors"] == [
            {"field": "units[0].hs_code", "reason": "malformed HS code '84869': 10 digits expected"},
            {"field": "units[1].currency", "reason": "unknown ISO 4217 currency 'usd'"},
            {"field": "units[2].declared_value", "reason": "declared value must be positive"}]
        r = await c.post("/v1/repair-requests", json=request(unit_body("SN-4"), origin="XX"), headers=CLERK)
        assert r.status_code == 422 and r.json()["context"]["errors"][0]["field"] == "origin"
        no_origin = {k: v for k, v in request(unit_body("SN-5")).items() if k != "origin"}
        r = await c.post("/v1/repair-requests", json=no_origin, headers=CLERK)
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "origin"]
        async with rt.sessions() as s:
            assert await s.scalar(select(func.count()).select_from(UnitRow)) == 0
            assert await s.scalar(select(func.count()).select_from(outbox).where(UNIT_EVENT)) == 0


async def test_conflicts_and_not_found(db_url, monkeypatch):
    async with serve("intake", db_url, monkeypatch) as (c, _):
        announce = await c.post("/v1/repair-requests", json=request(unit_body("SN-0")), headers=CLERK)
        [announced] = announce.json()["units"]
        early = await c.post(f"/v1/units/{announced['id']}/release", headers=CLERK)
        assert early.status_code == 409 and early.json()["context"]["allowed_from"] == ["received"]
        dup = await c.post("/v1/repair-requests", json=request(unit_body("SN-0")), headers=CLERK)
        assert dup.status_code == 422 and "'SN-0' is already in the zone" in dup.json()["detail"]
        unit_id = await received_unit(c, "SN-1")
        assert (await c.post(f"/v1/units/{unit_id}/release", headers=CLERK)).status_code == 200
        again = await c.post(f"/v1/units/{unit_id}/release", headers=CLERK)
        assert again.status_code == 409 and "release is allowed from received" in again.json()["detail"]
        assert again.json()["context"] == {"state": "released_to_repair", "allowed_from": ["received"]}
        for r in (await c.get("/v1/units/nope", headers=CLERK), await c.post("/v1/units/nope/release", headers=CLERK)):
            assert r.status_code == 404 and r.json()["detail"] == "unit nope not found"


async def test_concurrent_requests_for_one_serial_admit_one(pg_url, monkeypatch):
    """No query checks the serial before the insert: the unique index on in-zone serials decides, and the
    requests that lose are answered with the same refusal as a sequential duplicate."""
    async with serve("intake", pg_url, monkeypatch) as (c, rt):
        rs = await asyncio.gather(*(c.post("/v1/repair-requests", json=request(unit_body("SN-1")), headers=CLERK)
                                    for _ in range(4)))
        assert sorted(r.status_code for r in rs) == [201, 422, 422, 422]
        for r in rs:
            if r.status_code == 422:
                assert r.json()["context"]["errors"] == [
                    {"field": "units[0].serial_number", "reason": "serial 'SN-1' is already in the zone"}]
        async with rt.sessions() as s:
            assert await s.scalar(select(func.count()).select_from(UnitRow)) == 1
            assert await s.scalar(select(func.count()).select_from(outbox).where(UNIT_EVENT)) == 1


async def test_health_and_readiness_without_token(db_url, monkeypatch):
    async with serve("intake", db_url, monkeypatch) as (c, _):
        assert (await c.get("/healthz")).json() == {"status": "ok"}
        r = await c.get("/readyz")
        assert r.status_code == 503 and r.json()["status"] == "not ready"
        reasons = r.json()["reasons"]
        assert len(reasons) == 1, reasons  # database reachable and migrations at head: only the broker
        assert reasons[0].startswith("broker 127.0.0.1:1 unreachable")


async def test_metrics(db_url, monkeypatch):
    async with serve("intake", db_url, monkeypatch) as (c, _):
        before = (await c.get("/metrics")).text
        registered = gauge(before, "bondline_outbox_backlog")  # the owner's owner.registered, if serve made one
        body = request(*(unit_body(f"SN-{i}") for i in range(3)))
        assert (await c.post("/v1/repair-requests", json=body, headers=CLERK)).status_code == 201
        r = await c.get("/metrics")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
        assert gauge(r.text, "bondline_outbox_backlog") == registered + 3  # one unit.announced per unit
        assert gauge(r.text, "bondline_outbox_oldest_unpublished_age_seconds") >= 0
        assert gauge(r.text, "bondline_dead_letters_stored") == 0
        assert 'bondline_http_requests_total{method="POST",route="/v1/repair-requests",status="201"} 1.0' in r.text
        assert "# TYPE bondline_events_consumed_total counter" in r.text


async def test_dispatch_candidates(db_url, monkeypatch):
    async with serve("dispatch", db_url, monkeypatch) as (c, _):
        assert (await c.get("/v1/candidates", headers=auth("technician"))).status_code == 403
        r = await c.get("/v1/candidates", headers=auth("dispatcher"))
        assert r.status_code == 200 and r.json() == []
        assert (await c.get("/v1/items/u-1", headers=auth("dispatcher"))).status_code == 404
