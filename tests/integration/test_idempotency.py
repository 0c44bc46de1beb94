"""Idempotency-Key on real SQLite and PostgreSQL: scoped to the authenticated caller, kept for a window, purged.

Intake's parts receipts are the probe: the same body posted twice without a key makes two receipts, so a
fresh run and a replay can be told apart by the receipt id.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from alembic import command
from sqlalchemy import func, insert, inspect, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import create_async_engine

from services.intake.bootstrap import build_app
from services.intake.db.tables import PartsReceiptRow
from services.kit import idempotency
from services.kit.migrations import config
from tests.integration.test_api import auth, serve
from tests.integration.test_migrations import migrations_dir
from tests.support.runtime import runtime

ANN, BOB = auth("intake_clerk", "ann"), auth("intake_clerk", "bob")
PATH = "/v1/parts-receipts"
BODY = {"part_number": "ESC-O-RING", "lot": "L2026-12", "quantity": 40, "unit_value": "12.50", "currency": "USD",
        "hs_code": "8486909000", "origin": "foreign",
        "documents": {"bonded_inventory_list": "QD224426I000000777", "gate_pass": "HF224426000000777"}}
RAW = json.dumps(BODY).encode()  # sent as these exact bytes, so a claim can be planted with their hash


async def post(c: httpx.AsyncClient, key: str | None, headers: dict[str, str] | None = None,
               content: bytes = RAW) -> httpx.Response:
    h = {"Content-Type": "application/json"} | ({"Idempotency-Key": key} if key else {}) | (headers or {})
    return await c.post(PATH, content=content, headers=h)


async def receipts(rt: Any) -> int:
    async with rt.sessions() as s:
        return await s.scalar(select(func.count()).select_from(PartsReceiptRow))


async def keys(rt: Any) -> list[tuple[str, str, int | None]]:
    t = rt.d.idempotency
    async with rt.sessions() as s:
        rows = await s.execute(select(t.c.principal, t.c.key, t.c.status_code).order_by(t.c.principal, t.c.key))
        return [tuple(r) for r in rows]


async def plant(rt: Any, key: str, age: timedelta, principal: str = "intake_clerk:ann",
                status: int | None = None, body: str | None = None) -> None:
    """A row as a request of ``age`` ago left it: a claim (no status) or a remembered answer."""
    async with rt.sessions() as s, s.begin():
        await s.execute(insert(rt.d.idempotency).values(
            principal=principal, key=key, method="POST", path=PATH, request_hash=hashlib.sha256(RAW).hexdigest(),
            status_code=status, body=body, created_at=datetime.now(timezone.utc) - age))


async def test_no_token_never_gets_the_answer_someone_else_got(db_url, monkeypatch):
    async with serve("intake", db_url, monkeypatch) as (c, rt):
        first = await post(c, "k-1", ANN)
        assert first.status_code == 201, first.text
        for headers in ({}, {"Authorization": "Bearer not.a.token"}, auth("intake_clerk", "ann", secret="x" * 40)):
            r = await post(c, "k-1", headers)
            assert r.status_code == 401 and "idempotent-replayed" not in r.headers, r.text
            assert r.json().get("id") != first.json()["id"]
        # nothing was claimed for the unauthenticated calls, not even with a key the middleware would refuse
        assert (await post(c, "k" * 201)).status_code == 401
        assert await keys(rt) == [("intake_clerk:ann", "k-1", 201)] and await receipts(rt) == 1
        assert (await post(c, "k" * 201, ANN)).status_code == 400


async def test_two_callers_with_the_same_key_and_body_each_get_their_own_result(db_url, monkeypatch):
    async with serve("intake", db_url, monkeypatch) as (c, rt):
        a, b = await post(c, "shared-key", ANN), await post(c, "shared-key", BOB)
        assert a.status_code == b.status_code == 201 and "idempotent-replayed" not in b.headers
        assert a.json()["id"] != b.json()["id"] and await receipts(rt) == 2
        again_a, again_b = await post(c, "shared-key", ANN), await post(c, "shared-key", BOB)
        assert again_a.headers["idempotent-replayed"] == again_b.headers["idempotent-replayed"] == "true"
        assert (again_a.json()["id"], again_b.json()["id"]) == (a.json()["id"], b.json()["id"])
        assert await receipts(rt) == 2
        other = await post(c, "shared-key", BOB, content=json.dumps(BODY | {"quantity": 41}).encode())
        assert other.status_code == 422 and "different request body" in other.json()["detail"]
        assert await keys(rt) == [("intake_clerk:ann", "shared-key", 201), ("intake_clerk:bob", "shared-key", 201)]


async def test_a_partner_is_scoped_by_the_owner_its_token_is_bound_to(db_url, monkeypatch):
    from services.kit.auth import issue_token
    from services.kit.settings import DEV_JWT_SECRET
    from tests.integration.test_api import request
    from tests.support.intake import unit_body

    def partner(owner: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(DEV_JWT_SECRET, 'p1', 'partner', owner)}",
                "Idempotency-Key": "pre-alert-1"}

    async with serve("intake", db_url, monkeypatch) as (c, rt):
        body = request(unit_body("SN-P1"))  # for owner fab-sh-1
        mine = await c.post("/v1/repair-requests", json=body, headers=partner("fab-sh-1"))
        assert mine.status_code == 201, mine.text
        # same subject and role, another owner: not the same caller, so no replay of fab-sh-1's answer
        theirs = await c.post("/v1/repair-requests", json=body, headers=partner("fab-other"))
        assert theirs.status_code == 403 and "idempotent-replayed" not in theirs.headers
        replay = await c.post("/v1/repair-requests", json=body, headers=partner("fab-sh-1"))
        assert replay.headers["idempotent-replayed"] == "true" and replay.json() == mine.json()
        assert await keys(rt) == [("partner:p1@fab-sh-1", "pre-alert-1", 201)]  # the 403 was not remembered


async def test_a_claim_in_progress_is_409_with_retry_after_until_the_abandoned_window(db_url, monkeypatch):
    monkeypatch.setenv("INTAKE_IDEMPOTENCY_ABANDONED_AFTER_S", "30")
    async with serve("intake", db_url, monkeypatch) as (c, rt):
        await plant(rt, "busy", timedelta(seconds=25))
        r = await post(c, "busy", ANN)
        assert r.status_code == 409 and "still in progress" in r.json()["detail"]
        wait = int(r.headers["retry-after"])
        assert 1 <= wait <= 5 and f"retry after {wait} s" in r.json()["detail"]
        await plant(rt, "just-claimed", timedelta(0))
        r = await post(c, "just-claimed", ANN)
        assert r.status_code == 409 and 1 <= int(r.headers["retry-after"]) <= 30
        assert await receipts(rt) == 0
        # 31 s old: abandoned with the setting of 30 s (the old fixed 60 s would still say 409)
        await plant(rt, "crashed", timedelta(seconds=31))
        taken = await post(c, "crashed", ANN)
        assert taken.status_code == 201 and "idempotent-replayed" not in taken.headers, taken.text
        replay = await post(c, "crashed", ANN)
        assert replay.headers["idempotent-replayed"] == "true" and replay.json()["id"] == taken.json()["id"]
        assert await receipts(rt) == 1
        # another caller's claim on the same key does not hold this caller up
        await plant(rt, "theirs", timedelta(0), principal="intake_clerk:bob")
        assert (await post(c, "theirs", ANN)).status_code == 201


async def test_an_answer_older_than_the_window_is_not_replayed(db_url, monkeypatch):
    monkeypatch.setenv("INTAKE_IDEMPOTENCY_RETENTION_HOURS", "1")
    async with serve("intake", db_url, monkeypatch) as (c, rt):
        first = await post(c, "old", ANN)
        t = rt.d.idempotency
        async with rt.sessions() as s, s.begin():
            await s.execute(update(t).values(created_at=datetime.now(timezone.utc) - timedelta(hours=2)))
        fresh = await post(c, "old", ANN)
        assert fresh.status_code == 201 and "idempotent-replayed" not in fresh.headers
        assert fresh.json()["id"] != first.json()["id"] and await receipts(rt) == 2
        replay = await post(c, "old", ANN)
        assert replay.headers["idempotent-replayed"] == "true" and replay.json()["id"] == fresh.json()["id"]
        # an expired answer for another body is forgotten too: no 422, a fresh run
        await plant(rt, "old-other", timedelta(hours=2), status=201, body='{"id": "stale"}')
        other = await post(c, "old-other", ANN, content=json.dumps(BODY | {"quantity": 7}).encode())
        assert other.status_code == 201 and other.json()["id"] != "stale" and await receipts(rt) == 3


async def test_the_purge_deletes_old_rows_and_keeps_fresh_ones(db_url, monkeypatch):
    monkeypatch.setenv("INTAKE_IDEMPOTENCY_RETENTION_HOURS", "1")
    rt = runtime("intake", db_url, monkeypatch)
    try:
        await plant(rt, "old-answer", timedelta(hours=2), status=201, body="{}")
        await plant(rt, "old-claim", timedelta(hours=3))
        await plant(rt, "fresh", timedelta(minutes=30), status=201, body="{}")
        gone = await idempotency.purge(rt.sessions, rt.d.idempotency, datetime.now(timezone.utc) - timedelta(hours=1))
        assert gone == 2 and [k for _, k, _ in await keys(rt)] == ["fresh"]
        # the service does it by itself: the app's lifespan runs the purge, with the retention setting
        await plant(rt, "old-again", timedelta(hours=2), status=201, body="{}")
        app = build_app(rt, run_relay=False, run_consumer=False)
        async with app.router.lifespan_context(app):
            await _eventually(lambda: _only(rt, ["fresh"]), "the lifespan's purge")
        assert not [t for t in asyncio.all_tasks() if t.get_name() == "idempotency-purge"]
    finally:
        await rt.dispose()


async def test_the_purge_survives_a_database_error_and_stops_with_the_app(db_url, monkeypatch, caplog):
    async with serve("intake", db_url, monkeypatch) as (_c, rt):
        await plant(rt, "old", timedelta(hours=30))
        calls, real = [], idempotency.purge

        async def flaky(*args: Any) -> int:
            calls.append(1)
            if len(calls) == 1:
                raise OperationalError("DELETE", {}, Exception("database is away"))
            return await real(*args)

        monkeypatch.setattr(idempotency, "purge", flaky)
        stop = asyncio.Event()
        with caplog.at_level(logging.WARNING, "bondline.idempotency"):
            task = asyncio.create_task(idempotency.purge_forever(rt.sessions, rt.d.idempotency, timedelta(hours=24),
                                                                 stop, every_s=0.05))
            await _eventually(lambda: _only(rt, []), "the purge after the failed one")
            stop.set()
            await asyncio.wait_for(task, 10)
        assert task.done() and task.exception() is None and len(calls) >= 2
        assert any("purge failed" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("service, before", [("intake", "0005"), ("repair", "0003"), ("dispatch", "0006")])
def test_the_migration_scopes_keys_and_goes_back(service, before, db_url):
    cfg = config(migrations_dir(service), db_url)
    command.upgrade(cfg, before)
    asyncio.run(_sql(db_url, "INSERT INTO idempotency_keys (key, method, path, request_hash, created_at) "
                             "VALUES ('k', 'POST', '/x', 'h', '2026-01-01 00:00:00+00:00')"))
    command.upgrade(cfg, "head")
    assert asyncio.run(_pk(db_url)) == ["principal", "key", "method", "path"]
    assert asyncio.run(_sql(db_url, "SELECT count(*) FROM idempotency_keys")) == 0
    command.downgrade(cfg, before)
    assert asyncio.run(_pk(db_url)) == ["key", "method", "path"]
    command.upgrade(cfg, "head")


async def _sql(url: str, sql: str) -> Any:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(text(sql))
            return result.scalar() if result.returns_rows else None
    finally:
        await engine.dispose()


async def _pk(url: str) -> list[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            pk = await conn.run_sync(lambda c: inspect(c).get_pk_constraint("idempotency_keys"))
            return pk["constrained_columns"]
    finally:
        await engine.dispose()


async def _only(rt: Any, wanted: list[str]) -> bool:
    return [k for _, k, _ in await keys(rt)] == wanted


async def _eventually(check: Any, what: str, within_s: float = 20) -> None:
    deadline = asyncio.get_running_loop().time() + within_s
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"{what} did not happen within {within_s} s")
        await asyncio.sleep(0.05)
