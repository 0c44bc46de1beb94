"""Build a service runtime on a given database, migrated, with the fake broker for the fast tiers."""
from __future__ import annotations

import importlib

import pytest

from services.kit.runtime import Runtime


def runtime(service: str, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    monkeypatch.setenv(f"{service.upper()}_DATABASE_URL", db_url)
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    rt = Runtime(bootstrap.define())
    rt.migrate()
    return rt
