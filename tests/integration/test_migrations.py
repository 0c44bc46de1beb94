"""Each service's Alembic history on real SQLite and PostgreSQL: idempotent, at head, safe to race."""
from __future__ import annotations

import importlib
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from services.kit import migrations
from services.kit.runtime import Runtime
from tests.support.runtime import runtime

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ["intake", "repair", "dispatch", "partners"]
TABLES = {"intake": "units", "repair": "work_orders", "dispatch": "dispatch_items", "partners": "journal"}


def migrations_dir(service: str) -> Path:
    return ROOT / "services" / service / "migrations"


def _moved_to_partners(change: tuple) -> bool:  # type: ignore[type-arg]
    """Dispatch keeps its old journal and webhook tables, renamed, for partners to take over (not in its models)."""
    obj = change[1]
    table = obj if change[0] == "remove_table" else getattr(obj, "table", None)
    return change[0] in ("remove_table", "remove_index") and table is not None \
        and table.name.startswith("moved_to_partners_")


async def table_names(rt: Runtime) -> set[str]:
    async with rt.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


@pytest.mark.parametrize("service", SERVICES)
async def test_migrate_twice_is_idempotent_and_at_head(service, db_url, monkeypatch):
    rt = runtime(service, db_url, monkeypatch)  # migrates once
    rt.migrate()
    head = migrations.head(migrations_dir(service))
    assert head is not None and await migrations.current(rt.engine) == head
    assert {TABLES[service], "outbox", "inbox", "dead_letters", "alembic_version"} <= await table_names(rt)
    await rt.dispose()


@pytest.mark.parametrize("service", SERVICES)
async def test_migrated_schema_matches_the_models(service, db_url, monkeypatch):
    rt = runtime(service, db_url, monkeypatch)
    metadata = importlib.import_module(f"services.{service}.db.tables").metadata

    def diff(conn):  # type: ignore[no-untyped-def]
        found = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
        return [d for d in found if not _moved_to_partners(d)]

    async with rt.engine.connect() as conn:
        assert await conn.run_sync(diff) == []
    await rt.dispose()


async def test_fresh_database_is_not_at_head(db_url, monkeypatch):
    monkeypatch.setenv("DISPATCH_DATABASE_URL", db_url)
    rt = Runtime(importlib.import_module("services.dispatch.bootstrap").define())
    assert await migrations.current(rt.engine) is None
    assert any("migrations at None" in p for p in await rt.readiness())
    await rt.dispose()


async def test_ready_at_head_or_past_it_in_a_rolling_upgrade_not_behind(db_url, monkeypatch):
    """The next release's migrations Job runs before its pods: the old pods stay ready on the newer schema (expand
    before contract) instead of leaving their Service before the new ones are up; a database behind is not ready."""
    monkeypatch.setenv("DISPATCH_DATABASE_URL", db_url)
    rt = Runtime(importlib.import_module("services.dispatch.bootstrap").define())
    rt.migrate()
    schema = [p for p in await rt.readiness() if "migrations" in p]
    assert schema == []
    async with rt.engine.begin() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = '0099_next_release'"))
    assert [p for p in await rt.readiness() if "migrations" in p] == [], "a later release's revision: still ready"
    async with rt.engine.begin() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = '0013'"))
    assert any("migrations at 0013, head is" in p for p in await rt.readiness()), "behind this code: not ready"
    await rt.dispose()


@pytest.mark.parametrize("service", SERVICES)
async def test_concurrent_migrate_processes_all_succeed(service, db_url, monkeypatch):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTAKE_", "REPAIR_", "DISPATCH_"))}
    env[f"{service.upper()}_DATABASE_URL"] = db_url
    procs = [subprocess.Popen([sys.executable, "-m", f"services.{service}", "migrate"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(3)]
    outputs = [p.communicate(timeout=120)[0].decode(errors="replace") for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    rt = runtime(service, db_url, monkeypatch)
    assert await migrations.current(rt.engine) == migrations.head(migrations_dir(service))
    await rt.dispose()


def test_concurrent_migrate_threads_all_succeed(db_url):
    errors: list[BaseException] = []

    def upgrade() -> None:
        try:
            migrations.upgrade(migrations_dir("intake"), db_url)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=upgrade) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
