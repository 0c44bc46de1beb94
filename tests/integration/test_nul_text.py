"""Text with NUL characters: PostgreSQL refuses it, so the caller gets a 422 and nothing is stored, never a 500."""
from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from services.intake import bootstrap
from services.intake.db.tables import OwnerRow
from tests.support.runtime import runtime
from tests.support.stack import token


async def test_nul_characters_are_a_4xx_on_every_database(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    rt = runtime("intake", db_url, monkeypatch)
    app = bootstrap.build_app(rt, False, False)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as c:
        events = await c.get("/v1/events", params={"key": "unit\x00x"}, headers=token("service"))
        owner = await c.post("/v1/owners", headers=token("intake_clerk"), json={
            "id": "fab-nul", "name": "Fab\x00 One", "kind": "overseas", "country": "DE", "credit_tier": "general"})
    if rt.is_postgres:
        assert events.status_code == 422 and "NUL" in events.json()["detail"]
        assert owner.status_code == 422 and "NUL" in owner.json()["detail"]
        async with rt.sessions() as s:
            assert await s.scalar(select(func.count()).select_from(OwnerRow)) == 0  # nothing half-written
    else:  # SQLite stores NUL like any character
        assert events.status_code == 200 and owner.status_code == 201
    await rt.dispose()
