"""Repair's 0002 migration on real SQLite and PostgreSQL: skeleton rows keep their meaning, codes are seeded."""
from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.kit.migrations import config

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "repair" / "migrations"
ROW = ("INSERT INTO work_orders (id, unit_id, owner_id, serial_number, hs_code, origin, state, outcome, repair_fee, "
       "currency, labour_minutes, opened_at, completed_at, version, created_by, updated_by) VALUES "
       "(:id, :id, 'o-1', 'SN', '8486909000', 'foreign', :state, :outcome, 10, 'USD', 5, "
       "'2026-01-01 00:00:00+00:00', NULL, 1, 't', 't')")


def test_skeleton_work_orders_survive_the_upgrade_and_the_way_back(db_url):
    cfg = config(MIGRATIONS, db_url)
    command.upgrade(cfg, "0001")
    _run(db_url, [(ROW, {"id": "wo-done", "state": "completed", "outcome": "beyond_repair"}),
                  (ROW, {"id": "wo-open", "state": "queued", "outcome": None})])
    command.upgrade(cfg, "head")
    rows = _query(db_url, "SELECT id, state, warranty, part_number FROM work_orders ORDER BY id")
    assert [(r[0], r[1], bool(r[2]), r[3]) for r in rows] == [("wo-done", "beyond_repair", False, ""),
                                                              ("wo-open", "queued", False, "")]
    codes = {r[0] for r in _query(db_url, "SELECT code FROM failure_codes WHERE active")}
    assert {"VAC-LEAK", "PWR-SUPPLY", "OTHER"} <= codes
    command.downgrade(cfg, "0001")
    assert [tuple(r) for r in _query(db_url, "SELECT id, state FROM work_orders ORDER BY id")] == [
        ("wo-done", "completed"), ("wo-open", "queued")]


def _run(db_url: str, statements: list[tuple[str, dict]]) -> None:
    async def go() -> None:
        engine = create_async_engine(db_url)
        async with engine.begin() as conn:
            for sql, params in statements:
                await conn.execute(text(sql), params)
        await engine.dispose()

    asyncio.run(go())


def _query(db_url: str, sql: str) -> list:
    async def go() -> list:
        engine = create_async_engine(db_url)
        async with engine.connect() as conn:
            rows = (await conn.execute(text(sql))).all()
        await engine.dispose()
        return rows

    return asyncio.run(go())
