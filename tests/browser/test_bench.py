# ruff: noqa: RUF001 - the Chinese texts use full-width punctuation on purpose
"""The repair bench in Debian's Chromium (Playwright): a technician scans a unit and takes it from the queue to
completion (diagnosis, quote, parts with their stock, labour clock, tests), each refusal shown in the reader's
language; the keyboard reaches the scan box; Chinese; a customs officer reads; a stale page is refused.

Repair runs in-process (uvicorn on a free port, SQLite) with the work orders of tests/browser/seed_bench.py.
Screenshots: var/test-artifacts/screenshots/bench-*.png. Without /usr/bin/chromium the tests skip (and fail in CI).
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from services.kit.auth import issue_token
from services.kit.settings import DEV_JWT_SECRET
from services.repair.bootstrap import build_app
from tests.browser.seed_bench import scenario
from tests.browser.test_desk import CHROMIUM, SHOTS, _need_chromium
from tests.support.runtime import runtime
from tests.support.stack import free_port

pytestmark = pytest.mark.browser


@dataclass
class Bench:
    url: str
    ids: dict[str, str]  # serial -> work order id
    offsite: list[str]


@pytest.fixture
async def bench(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Bench]:
    _need_chromium()
    import uvicorn

    rt = runtime("repair", f"sqlite+aiosqlite:///{tmp_path}/repair.db", monkeypatch)
    ids = await scenario(rt)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(build_app(rt, run_relay=False, run_consumer=False), host="127.0.0.1",
                                           port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    yield Bench(f"http://127.0.0.1:{port}", ids, [])
    server.should_exit = True
    await task
    await rt.dispose()


@pytest.fixture
async def browser(bench: Bench) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        await b.close()


async def sign_in(browser: Any, bench: Bench, role: str = "technician", subject: str = "li",
                  locale: str = "en-GB") -> Any:
    context = await browser.new_context(locale=locale, viewport={"width": 1366, "height": 900})

    async def offsite(route: Any) -> None:  # the bench works offline: nothing may be fetched elsewhere
        bench.offsite.append(route.request.url)
        await route.abort()
    await context.route(lambda url: not url.startswith(bench.url), offsite)
    page = await context.new_page()
    await page.goto(f"{bench.url}/bench")
    assert "/bench/login" in page.url  # no session: the login page
    await page.fill("#token", issue_token(DEV_JWT_SECRET, subject, role))
    await page.click("#login")
    return page


async def shot(page: Any, name: str) -> None:
    await page.screenshot(path=str(SHOTS / f"bench-{name}.png"), full_page=True)


async def text(page: Any, selector: str) -> str:
    return " ".join((await page.text_content(selector) or "").split())


async def refusal(page: Any) -> str:
    await page.wait_for_selector("#action-error")
    return await text(page, "#action-error")


async def test_a_technician_scans_a_unit_and_repairs_it_refusals_shown(bench: Bench, browser: Any) -> None:
    page = await sign_in(browser, bench)
    await page.wait_for_url(f"{bench.url}/bench")
    mine = await page.locator("#mine tbody a").all_text_contents()
    assert mine == ["SN-D-2002", "SN-R-3003", "SN-T-4004"]  # li's open work orders, oldest first
    assert await page.locator("#backlog tbody tr").count() == 5
    assert await page.evaluate("document.activeElement.id") == "scan"  # a scanner can type straight away
    await shot(page, "queue-en")

    await page.keyboard.type("sn-q-1001")  # the scanner types the label and Enter
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"**/bench/work-orders/{bench.ids['SN-Q-1001']}")
    await page.click("#assign")
    assert await text(page, "#technician") == "li"
    await page.click("#start-diagnosis")
    assert await text(page, "#state") == "diagnosing"
    await page.click("#form-diagnosis button")  # nothing chosen, no findings
    assert "A diagnosis needs findings." in await refusal(page)
    await shot(page, "refused-en")
    await page.check("#form-diagnosis input[value=VAC-LEAK]")
    await page.fill("#findings", "lid seal cracked, helium leak 2e-6 mbar·l/s")
    await page.click("#form-diagnosis button")
    assert "VAC-LEAK" in await text(page, "#diagnosis")

    await page.fill("#form-quote input[name=repair_fee]", "ten")
    await page.click("#form-quote button")
    assert "Repair fee: enter a number." in await refusal(page)
    await page.fill("#form-quote input[name=repair_fee]", "1200")
    await page.fill("#form-quote input[name=parts_estimate]", "250")
    await page.click("#form-quote button")  # the unit is under warranty: no owner approval
    assert "no approval needed" in await text(page, "#quote-status") and await text(page, "#state") == "approved"

    await page.fill("#form-request input[name=part_number]", "PN-SEAL")
    await page.select_option("#form-request select[name=bonded]", "true")
    await page.click("#form-request button")
    assert await text(page, "#state") == "awaiting parts"
    assert await text(page, '#stock tr[data-part="PN-SEAL"] td.free') == "0"  # 3 received, 2 reserved, 1 used
    await page.click("#start-repair")
    await page.click("#labour-start")
    await page.wait_for_selector("#clock-running")

    await page.fill("#form-consume input[name=part_number]", "PN-VALVE")
    await page.fill("#form-consume input[name=quantity]", "5")
    await page.click("#form-consume button")
    said = await refusal(page)
    assert "Only 1 of 5 × PN-VALVE can be drawn (short); nothing was consumed." in said
    assert "only 1 of 5 x PN-VALVE" in said  # the service's own words beside the translation
    await page.fill("#form-consume input[name=part_number]", "PN-SEAL")
    await page.click("#form-consume button")
    assert await page.locator("#used tbody tr").all_text_contents() != []
    assert "PN-SEAL" in await text(page, "#used")
    await page.click("#labour-stop")
    assert await page.locator("#labour-entries tbody tr.running").count() == 0

    await page.click("#start-testing")
    await page.fill("#form-test input[name=procedure]", "ATP-7")
    await page.select_option("#form-test select[name=verdict]", "pass")
    for name, value in (("name", "leak rate"), ("value", "3"), ("unit", "e-9"), ("upper", "1")):
        await page.fill(f"#form-test input[name={name}]", value)
    await page.click("#form-test button")
    assert "Cannot pass: out of limits: leak rate." in await refusal(page)
    await page.fill("#form-test input[name=procedure]", "ATP-7")
    await page.fill("#form-test input[name=name]", "leak rate")
    await page.fill("#form-test input[name=value]", "0.4")
    await page.fill("#form-test input[name=upper]", "1")
    await page.click("#form-test button")
    assert "passed" in await text(page, "#tests tbody tr.passed")
    await page.select_option("#form-complete select[name=outcome]", "repaired")
    await page.click("#form-complete button")
    assert await text(page, "#state") == "repaired" and "repaired" in await text(page, "#outcome")
    assert await page.locator("#form-complete").count() == 0  # closed: nothing left to do
    await shot(page, "work-order-en")
    assert bench.offsite == []


async def test_in_chinese_from_the_keyboard_a_unit_id_opens_its_work_order(bench: Bench, browser: Any) -> None:
    page = await sign_in(browser, bench, locale="zh-CN")
    await page.wait_for_url(f"{bench.url}/bench")
    assert (await text(page, "h1")) == "工单队列"
    await shot(page, "queue-zh")
    wo = bench.ids["SN-T-4004"]
    unit_id = (await page.evaluate(f"fetch('/bench/work-orders/{wo}').then(r => r.text())")).split("<code>")[1]
    await page.locator("body").click()
    await page.keyboard.press("/")  # the scan box from anywhere
    assert await page.evaluate("document.activeElement.id") == "scan"
    await page.keyboard.type(unit_id.split("</code>")[0])
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"**/bench/work-orders/{wo}")
    assert await text(page, "#state") == "测试中"
    await page.select_option("#form-complete select[name=outcome]", "repaired")
    await page.click("#form-complete button")
    said = await refusal(page)
    assert "须测试通过后方可判定为已修复（最近一次测试：无）。" in said
    await shot(page, "work-order-zh")
    await page.fill("#scan", "SN-NOWHERE")
    await page.press("#scan", "Enter")
    assert "未找到与“SN-NOWHERE”对应的工单。" in await text(page, "#not-found")
    await page.click("#lang-switch")
    assert "No work order for “SN-NOWHERE”." in await text(page, "#not-found")


async def test_a_customs_officer_reads_other_roles_stay_out_and_a_stale_page_is_refused(bench: Bench,
                                                                                       browser: Any) -> None:
    officer = await sign_in(browser, bench, role="customs_officer", subject="zhou")
    await officer.goto(f"{bench.url}/bench/work-orders/{bench.ids['SN-R-3003']}")
    assert await officer.locator("#read-only").count() == 1 and await officer.locator("form#form-consume").count() == 0
    assert "PN-SEAL" in await text(officer, "#reservations")  # customs follows the repair's parts
    await shot(officer, "work-order-officer")
    clerk = await sign_in(browser, bench, role="intake_clerk", subject="ann")
    assert "Role intake_clerk may not use the repair bench." in await text(clerk, "[role=alert]")

    page = await sign_in(browser, bench, subject="li")
    await page.goto(f"{bench.url}/bench/work-orders/{bench.ids['SN-R-3003']}")
    other = await page.context.new_page()
    await other.goto(page.url)
    await page.click("#labour-start")  # the work order moves on in the first tab
    await page.wait_for_selector("#clock-running")
    await other.fill("#form-consume input[name=part_number]", "PN-SEAL")
    await other.click("#form-consume button")  # the second tab still shows the old version
    assert "Someone else changed this work order meanwhile: reload the page and try again." in await refusal(other)
    assert await other.locator("#used tbody tr td.empty").count() == 1, "nothing of the refused action was written"
    await shot(other, "stale-en")


async def test_on_a_phone_the_header_and_the_work_order_fit_the_screen(bench: Bench, browser: Any) -> None:
    page = await sign_in(browser, bench, locale="zh-CN")
    await page.wait_for_url(f"{bench.url}/bench")
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto(f"{bench.url}/bench/work-orders/{bench.ids['SN-R-3003']}")
    header, main = await page.locator("header.bar").bounding_box(), await page.locator("main").bounding_box()
    assert header["y"] + header["height"] <= main["y"] + 1, "the header ends before the content starts"
    wider = await page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert wider <= 0, f"the page is {wider}px wider than the phone"
    assert await page.locator("#scan").is_visible()
    await shot(page, "work-order-phone-zh")
