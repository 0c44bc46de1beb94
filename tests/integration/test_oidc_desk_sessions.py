"""The desk's server-side sessions on SQLite and PostgreSQL: the cookie is a random id (never the token), the row
stores only its hash, logout deletes the row so a copied cookie dies with it, and an expired row opens nothing."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update

from services.dispatch.bootstrap import build_app
from services.dispatch.db.tables import DeskSessionRow
from services.kit.auth import issue_token
from services.kit.settings import DEV_JWT_SECRET
from shared.clock import utc_now
from tests.integration.test_dashboard_pages import login_csrf
from tests.support.runtime import runtime


@pytest.fixture
async def site(db_url, monkeypatch):  # type: ignore[no-untyped-def]
    rt = runtime("dispatch", db_url, monkeypatch)
    app = build_app(rt, run_relay=False, run_consumer=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://desk") as client:
        client.rt = rt  # type: ignore[attr-defined]
        yield client
    await rt.dispose()


async def signed_in(site: httpx.AsyncClient) -> tuple[str, str]:
    token = issue_token(DEV_JWT_SECRET, "ann", "dispatcher")
    r = await site.post("/desk/login", data={"token": token, "login_csrf": await login_csrf(site)})
    assert r.status_code == 303, r.text
    return token, site.cookies["desk_session"]


async def rows(site: httpx.AsyncClient) -> list[DeskSessionRow]:
    async with site.rt.sessions() as s:  # type: ignore[attr-defined]
        return list((await s.scalars(select(DeskSessionRow))).all())


async def test_the_cookie_names_a_stored_session_and_logout_kills_it(site: httpx.AsyncClient) -> None:
    token, sid = await signed_in(site)
    assert sid != token and token not in sid
    stored = await rows(site)
    assert [(r.id_hash, r.subject, r.role) for r in stored] == [(hashlib.sha256(sid.encode()).hexdigest(), "ann",
                                                                 "dispatcher")]
    assert (await site.get("/desk")).status_code == 200
    r = await site.post("/desk/logout")
    assert r.status_code == 303 and r.headers["location"] == "/desk/login"
    assert await rows(site) == []
    site.cookies.set("desk_session", sid, path="/desk")  # the copied cookie, after logout
    r = await site.get("/desk")
    assert r.status_code == 303 and r.headers["location"].startswith("/desk/login")
    site.cookies.set("desk_session", token, path="/desk")  # the token itself is no session either
    assert (await site.get("/desk")).status_code == 303


async def test_an_expired_session_opens_nothing_and_is_purged_later(site: httpx.AsyncClient) -> None:
    _token, sid = await signed_in(site)
    async with site.rt.sessions() as s, s.begin():  # type: ignore[attr-defined]
        await s.execute(update(DeskSessionRow).values(expires_at=utc_now() - timedelta(seconds=1)))
    assert (await site.get("/desk")).status_code == 303
    await signed_in(site)  # a new sign-in sweeps the ended sessions away
    assert len(await rows(site)) == 1 and (await rows(site))[0].id_hash != hashlib.sha256(sid.encode()).hexdigest()
