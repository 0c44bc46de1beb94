"""Build a service runtime on a given database, migrated, with the fake broker for the fast tiers."""
from __future__ import annotations

import importlib
from typing import Any

import pytest

from services.kit.runtime import Runtime
from tests.support import templates


def runtime(service: str, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    """The service on ``db_url``, at its migration head. A fresh, empty database is a copy of a template migrated
    once per service and test session (a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL: the
    migrations ran once, not before every test); a database with tables in it is migrated as it is."""
    monkeypatch.setenv(f"{service.upper()}_DATABASE_URL", db_url)
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    rt = Runtime(bootstrap.define())
    if templates.copy(service, rt.d.migrations_dir, db_url):
        rt.migrate_after()
    else:
        rt.migrate()
    return rt


async def deliver(rt: Runtime, payload: Any, ce: Any, projections: bool = True) -> None:
    """What the service's consumers do with one event, without a broker: its own handler, then (each in a
    transaction of its own, as their consumers would) every projection's."""
    tables = [rt.d.handlers] + ([p.handlers for p in rt.d.projections] if projections else [])
    for handlers in tables:
        if ce.type in handlers:
            async with rt.uow() as uow:
                await handlers[ce.type](uow, payload, ce)
                await uow.commit()
