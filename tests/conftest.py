"""Fixtures shared by every tier. PostgreSQL tests skip locally without a server, and fail in CI."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import pg

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _need_pg() -> None:
    reason = pg.available()
    if reason is None:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI must run the PostgreSQL tests)")
    pytest.skip(reason)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/test.db"
        return
    _need_pg()
    url = pg.create_database()
    try:
        yield url
    finally:
        pg.drop_database(url)


@pytest.fixture
def pg_url() -> Iterator[str]:
    _need_pg()
    url = pg.create_database()
    try:
        yield url
    finally:
        pg.drop_database(url)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        prefixes = ("INTAKE_", "REPAIR_", "DISPATCH_", "PARTNERS_", "BONDLINE_", "KAFKA_")
        if key.startswith(prefixes) and key != "BONDLINE_TEST_PG":
            monkeypatch.delenv(key)
    monkeypatch.setenv("BONDLINE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1")  # nothing listens: unit tests stay offline
