"""The dispatch desk in Debian's Chromium (Playwright): sign in, the figures match the seeded units, a unit is
dispatched from its page and the open dashboard follows without a reload, the language switches.

Dispatch runs in-process (uvicorn on a free port, SQLite); its relay and consumer run against the in-memory
broker, so the events the page's actions publish come back to the dashboard's handlers as they would via Kafka.
Screenshots: var/test-artifacts/screenshots/*.png. Without /usr/bin/chromium the tests skip (and fail in CI).
"""
from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from services.dispatch.bootstrap import build_app
from services.kit.auth import issue_token
from services.kit.settings import DEV_JWT_SECRET
from shared.contract.events.repair import WorkOrderStateChanged
from tests.browser.seed import EXPECTED, Loop, scenario
from tests.support.runtime import runtime
from tests.support.stack import ROOT, free_port

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "var" / "test-artifacts" / "screenshots"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
pytestmark = pytest.mark.browser


def _need_chromium() -> None:
    reason = None if CHROMIUM.exists() else f"{CHROMIUM} not installed (apt-get install chromium)"
    if reason is None:
        try:
            import playwright.async_api  # noqa: F401
        except ImportError:
            reason = "the playwright package is not installed (pip install -e '.[test]')"
    if reason and IN_CI:
        pytest.fail(f"{reason}: CI must run the browser tests")
    if reason:
        pytest.skip(reason)


@dataclass
class Desk:
    url: str
    loop: Loop  # put events here: they reach dispatch's consumer as they would through Kafka


@pytest.fixture
async def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Desk]:
    """Dispatch with the seeded units, serving on a free port."""
    _need_chromium()
    import uvicorn

    rt = runtime("dispatch", f"sqlite+aiosqlite:///{tmp_path}/dispatch.db", monkeypatch)
    loop = Loop(rt)
    await scenario(rt, loop)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(build_app(rt, run_relay=False, run_consumer=False), host="127.0.0.1",
                                           port=port, log_level="warning", lifespan="off"))
    stop = asyncio.Event()
    tasks = [asyncio.create_task(server.serve()), asyncio.create_task(loop.run(stop))]
    while not server.started:
        await asyncio.sleep(0.05)
    yield Desk(f"http://127.0.0.1:{port}", loop)
    stop.set()
    server.should_exit = True
    await asyncio.gather(*tasks)
    await rt.dispose()


@pytest.fixture
async def browser(desk: Desk) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        await b.close()


OFFSITE: list[str] = []


async def sign_in(browser: Any, base: str, role: str = "dispatcher", locale: str = "en-GB",
                  viewport: tuple[int, int] = (1440, 1000)) -> Any:
    context = await browser.new_context(locale=locale, viewport={"width": viewport[0], "height": viewport[1]})

    async def offsite(route: Any) -> None:  # the desk must work offline: nothing may be fetched elsewhere
        OFFSITE.append(route.request.url)
        await route.abort()
    await context.route(lambda url: not url.startswith(base), offsite)
    page = await context.new_page()
    await page.goto(f"{base}/desk")
    assert "/desk/login" in page.url  # no session: the login page
    await shot(page, f"login-{locale}")
    await page.fill("#token", issue_token(DEV_JWT_SECRET, "ann", role))
    await page.click("#login")
    if role in ("dispatcher", "customs_officer"):
        await page.wait_for_url(f"{base}/desk")
    return page


async def kpi(page: Any, key: str) -> str:
    return (await page.text_content(f'[data-kpi="{key}"]') or "").strip()


async def wait_kpi(page: Any, key: str, want: str, timeout_s: float = 15) -> None:
    await page.wait_for_function("([k, v]) => document.querySelector(`[data-kpi=\"${k}\"]`).textContent.trim() === v",
                                 arg=[key, want], timeout=timeout_s * 1000)


async def shot(page: Any, name: str) -> None:
    await page.wait_for_timeout(300)  # charts drawn (no animation)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def test_figures_match_the_seeded_units_and_follow_a_dispatch_live(desk: Desk, browser: Any) -> None:
    dashboard = await sign_in(browser, desk.url)
    e = EXPECTED
    want = {"backlog_total": str(sum(e["backlog_by_stage"].values())), "due_to_ship": str(e["due_to_ship"]),
            "shipped": "2",
            "turnaround_median": "96", "turnaround_p90": "240", "first_pass_yield": "80.0%",
            "beyond_repair_rate": "16.7%", "bond_at_risk": "1", "bond_breached": "1", "disposal_at_risk": "1",
            "disposal_breached": "1"}
    assert {k: await kpi(dashboard, k) for k in want} == want
    figures = await dashboard.evaluate("window.deskFigures")
    assert figures["backlog_by_owner"] == e["backlog_by_owner"] and figures["destinations"] == e["destinations"]
    assert await dashboard.locator("canvas").count() == 9
    await dashboard.wait_for_selector("#bond-table tbody tr.breached")  # the htmx table, coloured by deadline
    await shot(dashboard, "dashboard-en")

    unit = await dashboard.context.new_page()
    await unit.goto(f"{desk.url}/desk/units/u-aw1")
    assert await unit.locator("#timeline tbody tr").count() >= 6  # intake, repair and dispatch events
    await unit.select_option("#form-decision select[name=destination]", "re_export")
    await unit.click("#form-decision button")  # no country: refused with the service's reason
    assert "outside China" in (await unit.text_content("#action-error") or "")
    await shot(unit, "unit-refused")
    await unit.select_option("#form-decision select[name=destination]", "re_export")
    await unit.fill("#form-decision input[name=country]", "us")
    await unit.click("#form-decision button")
    await unit.wait_for_selector("#form-exit")
    # the open dashboard, without a reload: still due to ship, its destination chosen
    await dashboard.wait_for_selector("#due-table >> text=destination chosen", timeout=15_000)
    for name, value in (("gate_pass_no", "HF224426000000009"), ("bonded_inventory_list_no", "QD224426E000000009"),
                        ("outbound_record_list_no", "OR2244260000000009")):
        await unit.fill(f"#form-exit input[name={name}]", value)
    await unit.click("#form-exit button")
    for name, value in (("carrier", "DHL"), ("tracking_number", "1234567890"), ("address", "Fab 1, Austin TX")):
        await unit.fill(f"#form-shipment input[name={name}]", value)
    await unit.click("#form-shipment button")
    await unit.click("#advance")  # customs cleared
    await unit.click("#advance")  # shipped
    assert (await unit.text_content("#unit-destination") or "").strip().endswith("US")
    await unit.wait_for_selector("#shipment-state")
    await shot(unit, "unit-en")
    await wait_kpi(dashboard, "shipped", "3")
    await wait_kpi(dashboard, "due_to_ship", str(e["due_to_ship"] - 1))
    await wait_kpi(dashboard, "backlog_total", str(sum(e["backlog_by_stage"].values()) - 1))
    await shot(dashboard, "dashboard-after-dispatch")
    assert OFFSITE == []


async def test_language_follows_the_browser_and_the_switch(desk: Desk, browser: Any) -> None:
    page = await sign_in(browser, desk.url, locale="zh-CN")
    assert (await page.text_content("h1") or "").startswith("看板")
    await shot(page, "dashboard-zh")
    await page.goto(f"{desk.url}/desk/units/u-aw1")
    assert "时间线" in (await page.content())
    await shot(page, "unit-zh")
    await page.click("#lang-switch")
    await page.wait_for_selector("text=Timeline")
    await page.goto(f"{desk.url}/desk/units?stage=dispatch")
    assert (await page.text_content("h1") or "").startswith("Units")  # the choice sticks
    await shot(page, "units-en")


async def test_a_customs_officer_reads_but_cannot_act_and_other_roles_stay_out(desk: Desk, browser: Any) -> None:
    page = await sign_in(browser, desk.url, role="customs_officer")
    await page.goto(f"{desk.url}/desk/units/u-aw1")
    assert await page.locator("form#form-decision").count() == 0
    assert "dispatcher role" in (await page.content())
    await shot(page, "unit-officer")
    page = await sign_in(browser, desk.url, role="technician")
    assert "Role technician may not use the dispatch desk" in (await page.text_content("[role=alert]") or "")
    await shot(page, "login-refused")


async def test_the_unit_page_shows_a_new_event_without_a_reload(desk: Desk, browser: Any) -> None:
    page = await sign_in(browser, desk.url, role="customs_officer")
    await page.goto(f"{desk.url}/desk/units/u-rep1")
    assert await page.locator("#timeline >> text=to: testing").count() == 0
    desk.loop.put(WorkOrderStateChanged(unit_id="u-rep1", work_order_id="wo-u-rep1", owner_id="fab-1",
                                        action="start_testing", from_state="in_repair", to_state="testing",
                                        changed_at=datetime.now(timezone.utc)), "/bondline/repair")
    await page.wait_for_selector("#timeline >> text=to: testing", timeout=15_000)
    await shot(page, "unit-live")


async def test_on_a_phone_the_header_wraps_above_the_content_and_a_serial_finds_its_unit(desk: Desk,
                                                                                       browser: Any) -> None:
    page = await sign_in(browser, desk.url, locale="zh-CN", viewport=(375, 800))
    await page.goto(f"{desk.url}/desk/units")
    await page.fill("#search", "SN-u-late")
    await page.press("#search", "Enter")
    await page.wait_for_url("**q=SN-u-late**")
    assert await page.locator("table.grid tbody a").all_text_contents() == ["SN-u-late"]
    header, main = await page.locator("header.bar").bounding_box(), await page.locator("main").bounding_box()
    assert header["y"] + header["height"] <= main["y"] + 1, "the header ends before the content starts"
    overflow = await page.evaluate("() => { const h = document.querySelector('header.bar');"
                                   " return h.scrollWidth - h.clientWidth; }")
    assert overflow <= 0, f"the header is {overflow}px wider than the phone"
    assert "Asia/Shanghai (UTC+08:00)" in (await page.text_content("#zone") or "")
    assert await page.locator('link[rel="icon"]').count() == 1
    icon = await page.request.get(f"{desk.url}/desk/static/favicon.svg")
    assert icon.status == 200 and b"<svg" in await icon.body()
    await shot(page, "units-phone-zh")
