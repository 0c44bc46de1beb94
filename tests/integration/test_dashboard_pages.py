"""The desk's pages over HTTP on SQLite and PostgreSQL: sign-in with the API's roles, CSRF, read-only officers,
refusals shown on the page with nothing written, the units table, CSV export and the language choice."""
from __future__ import annotations

import csv
import io
import re

import httpx
import pytest
from sqlalchemy import select

from services.dispatch.bootstrap import build_app
from services.dispatch.db.tables import DispatchItemRow, ShipmentRow, outbox
from services.kit.auth import issue_token
from services.kit.settings import DEV_JWT_SECRET
from tests.browser.seed import Loop, scenario
from tests.support.runtime import runtime


@pytest.fixture
async def site(db_url, monkeypatch):  # type: ignore[no-untyped-def]
    rt = runtime("dispatch", db_url, monkeypatch)
    await scenario(rt, Loop(rt))
    app = build_app(rt, run_relay=False, run_consumer=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://desk") as client:
        client.rt = rt  # type: ignore[attr-defined]
        yield client
    await rt.dispose()


async def sign_in(client: httpx.AsyncClient, role: str, next: str = "/desk/units") -> httpx.Response:
    return await client.post("/desk/login", data={"token": issue_token(DEV_JWT_SECRET, "ann", role), "next": next,
                                                   "login_csrf": await login_csrf(client)})


async def login_csrf(client: httpx.AsyncClient) -> str:
    client.cookies.clear()
    form = await client.get("/desk/login")
    return re.search(r'name="login_csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]


def csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)  # type: ignore[union-attr]


async def state_and_events(client) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    async with client.rt.sessions() as s:
        state = await s.scalar(select(DispatchItemRow.state).where(DispatchItemRow.item_id == "u-aw1"))
        events = len((await s.execute(select(outbox.c.id))).all())
    return state, events


async def test_sign_in_roles_and_sessions(site):
    r = await site.get("/desk")
    assert r.status_code == 303 and r.headers["location"].startswith("/desk/login")
    r = await site.get("/desk/data/figures.json", headers={"HX-Request": "true"})
    assert r.status_code == 401 and r.headers["hx-redirect"] == "/desk/login"
    r = await site.post("/desk/login", data={"token": issue_token(DEV_JWT_SECRET, "x", "dispatcher")})
    assert r.status_code == 403 and "sign-in form expired" in r.text  # no pre-session CSRF token: refused
    r = await site.post("/desk/login", data={"token": "not-a-token", "login_csrf": await login_csrf(site)})
    assert r.status_code == 401 and "This token is not valid" in r.text
    r = await sign_in(site, "technician")
    assert r.status_code == 403 and "Role technician may not use the dispatch desk" in r.text
    r = await sign_in(site, "customs_officer")
    assert r.status_code == 303 and r.headers["location"] == "/desk/units"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/desk" in cookie
    assert (await site.get("/desk")).status_code == 200
    assert (await site.get("/desk/data/figures.json")).json()["shipped"] == 2
    r = await sign_in(site, "dispatcher", next="//evil.example/desk")
    assert r.headers["location"] == "/desk"  # no open redirect


async def test_actions_need_the_dispatcher_and_the_csrf_token(site):
    await sign_in(site, "customs_officer")
    page = await site.get("/desk/units/u-aw1")
    assert "form-decision" not in page.text and "actions need the dispatcher role" in page.text
    r = await site.post("/desk/units/u-aw1/decision", data={"csrf": csrf(page.text), "destination": "re_export",
                                                             "country": "US"})
    assert r.status_code == 403
    before = await state_and_events(site)
    await sign_in(site, "dispatcher")
    r = await site.post("/desk/units/u-aw1/decision", data={"destination": "re_export", "country": "US"})
    assert r.status_code == 403 and await state_and_events(site) == before  # no CSRF token: nothing done
    token = csrf((await site.get("/desk/units/u-aw1")).text)
    r = await site.post("/desk/units/u-aw1/decision", data={"csrf": token, "destination": "re_export", "country": "CN"})
    assert r.status_code == 422 and "re-export needs a destination country outside China" in r.text
    assert await state_and_events(site) == before  # refused: nothing written, no event
    r = await site.post("/desk/units/u-aw1/decision", data={"csrf": token, "destination": "re_export", "country": "us"})
    assert r.status_code == 303 and r.headers["location"] == "/desk/units/u-aw1?done=choose_destination"
    assert (await state_and_events(site))[0] == "decided"
    r = await site.post("/desk/units/u-aw1/shipment", data={"csrf": token, "carrier": "DHL", "tracking_number": "1",
                                                            "destination_country": "US", "address": "x"})
    assert r.status_code == 409 and "cannot ship item u-aw1: it is decided" in r.text  # exit not declared yet
    async with site.rt.sessions() as s:
        assert len((await s.execute(select(ShipmentRow.id))).all()) == 2  # the seed's; no empty one left behind


async def test_units_table_filters_sorts_pages_and_exports(site):
    await sign_in(site, "dispatcher")
    r = await site.get("/desk/units", params={"stage": "dispatch", "kind": "unit", "sort": "due", "size": 3})
    ids = re.findall(r'<a href="/desk/units/([^"]+)">', r.text)
    assert ids == ["u-late", "u-br", "u-aw1"] and "page=2" in r.text  # oldest in bond first; more on page 2
    r = await site.get("/desk/fragments/table", params={"stage": "dispatch", "kind": "unit", "sort": "due", "size": 3,
                                                        "page": 2})
    assert re.findall(r'<a href="/desk/units/([^"]+)">', r.text) == ["u-aw2"]
    r = await site.get("/desk/units.csv", params={"owner": "fab-1", "sort": "unit"})
    assert r.content.startswith(b"\xef\xbb\xbf"), "a UTF-8 BOM first: Excel on a Chinese Windows reads GBK without"
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert r.headers["content-type"].startswith("text/csv")
    assert [x["item_id"] for x in rows] == ["op-u-aw1", "op-u-late", "u-aw1", "u-late", "u-new", "u-rep1"]
    late = next(x for x in rows if x["item_id"] == "u-late")
    assert late["deadline_status"] == "breached" and late["stage"] == "dispatch"
    assert (await site.get("/desk/units", params={"sort": "nonsense"})).status_code == 422


async def test_language_from_the_browser_then_the_switch(site):
    await sign_in(site, "dispatcher")
    assert "各环节积压" in (await site.get("/desk", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})).text
    assert "Backlog by stage" in (await site.get("/desk", headers={"Accept-Language": "de-DE,en;q=0.5"})).text
    page = await site.get("/desk/units", params={"stage": "dispatch"})
    switch = re.search(r'id="lang-switch" href="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = await site.get(switch.replace("&amp;", "&"))
    assert r.status_code == 303 and r.headers["location"] == "/desk/units?stage=dispatch"  # back where it was
    assert "导出 CSV" in (await site.get("/desk/units", headers={"Accept-Language": "en"})).text


async def test_times_in_the_zones_local_time_named_and_no_destinations_for_a_unit_that_left(site):
    await sign_in(site, "dispatcher")
    r = await site.get("/desk/units", params={"stage": "dispatch"})
    assert "Asia/Shanghai (UTC+08:00)" in r.text, "every page names the zone its times are in"
    assert re.search(r"[A-Z][a-z]{2} \d{1,2}, \d{4} \d\d:\d\d \+08:00", r.text), "times carry the zone's offset"
    waiting, left = await site.get("/desk/units/u-aw1"), await site.get("/desk/units/u-sh1")
    assert waiting.status_code == left.status_code == 200
    assert 'id="destinations-card"' in waiting.text
    assert 'id="destinations-card"' not in left.text, "a unit that has left is not offered destinations"


async def test_units_are_listed_by_serial_and_part_number_and_found_by_a_scanned_serial(site):
    await sign_in(site, "dispatcher")
    r = await site.get("/desk/units", params={"q": "SN-u-late"})
    assert re.findall(r'<a href="/desk/units/([^"]+)">', r.text) == ["u-late"], "the scanned serial finds its unit"
    assert '<b class="serial">SN-u-late</b>' in r.text and "RF-GEN-3KW" in r.text
    r = await site.get("/desk/units", params={"q": "  RF-GEN-3KW ", "size": 200})
    found = re.findall(r'<a href="/desk/units/([^"]+)">', r.text)
    assert "u-late" in found and "u-aw1" in found, "a part number finds every unit of it"
    nothing = await site.get("/desk/units", params={"q": "SN-nope"})
    assert re.findall(r'<a href="/desk/units/([^"]+)">', nothing.text) == []
    r = await site.get("/desk/units.csv", params={"q": "SN-u-late"})
    (row,) = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert (row["item_id"], row["serial_number"], row["part_number"]) == ("u-late", "SN-u-late", "RF-GEN-3KW")
