# ruff: noqa: RUF001 - the Chinese texts use full-width punctuation on purpose
"""The desk's new pages in Debian's Chromium (Playwright): the shipments board declaring and shipping several
items at once, one next step at a time, and its packing list; units found by a document number with owners by
name; customs filings and a stocktake in Chinese; the board read-only for a customs officer.

Same in-process dispatch as tests/browser/test_desk.py (its fixtures); screenshots in
var/test-artifacts/screenshots/ (desk-*.png)."""
from __future__ import annotations

from typing import Any

import pytest

from services.dispatch.domain.destinations import Destination
from services.dispatch.service import decisions, filings
from services.dispatch.service.filings import FileExit
from tests.browser.seed import DESK, EXIT_ABROAD, VAT, book, entry_documents
from tests.browser.test_desk import Desk, browser, desk, shot, sign_in  # noqa: F401 - the fixtures
from tests.unit.test_papers import barcodes, text

pytestmark = pytest.mark.browser


async def decide(d: Desk, *units: str) -> None:
    for u in units:
        await decisions.decide(d.loop.rt.uow(), u, Destination.re_export, "US", VAT, DESK)


async def test_the_board_declares_and_ships_several_items_at_once(desk: Desk, browser: Any) -> None:
    await decide(desk, "u-aw1", "u-late")
    page = await sign_in(browser, desk.url)
    await page.goto(f"{desk.url}/desk/shipments")
    await page.check("#pick-declare input[data-all]")  # ticks every item of the table
    assert await page.locator("#pick-declare input[name=item_ids]:checked").count() == 2
    for name, value in EXIT_ABROAD.items():
        await page.fill(f"#form-declare-many input[name={name}]", value)
    await shot(page, "desk-board-to-declare")
    await page.click("#form-declare-many button:not([formaction])")
    await page.wait_for_selector("#batch-results")
    assert await page.locator("#batch-results tr.ok").count() == 2
    await page.check("#pick-ship input[data-all]")
    for name, value in (("carrier", "SF Express"), ("tracking_number", "SF1234567890"), ("destination_country", "US"),
                        ("address", "Fab 9, Austin TX")):
        await page.fill(f"#form-add-many input[name={name}]", value)
    await page.click("#form-add-many button")
    await page.wait_for_selector("#batch-results tr.ok")
    await shot(page, "desk-board-added")
    await page.click("#batch-shipment")
    for then in ("Customs cleared", "Shipped", "Delivered"):
        buttons = page.locator("button#advance")
        assert await buttons.count() == 1 and (await buttons.text_content() or "").strip() == f"Mark as {then}"
        if then == "Delivered":
            await shot(page, "desk-shipment-shipped")
            break
        await buttons.click()
        await page.wait_for_selector("p.notice")
    assert await page.locator("#shipment-items tbody tr").count() == 2
    pdf = await page.request.get(f"{page.url.split('?')[0]}/packing-list.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "SN-u-aw1" in text(await pdf.body()) and "SF1234567890" in text(await pdf.body())
    labels = await page.request.get(f"{page.url.split('?')[0]}/labels.pdf")
    assert sorted(barcodes(await labels.body())) == ["u-aw1", "u-late"]
    await page.goto(f"{desk.url}/desk/shipments")
    assert await page.locator("#lane-shipped .shipment-card", has_text="SF1234567890").count() == 1
    await shot(page, "desk-board-lanes")


async def test_a_document_number_finds_its_units_with_their_owners_named(desk: Desk, browser: Any) -> None:
    page = await sign_in(browser, desk.url, locale="zh-CN")
    await page.goto(f"{desk.url}/desk/units")
    number = entry_documents("u-late")["bonded_inventory_list"]
    await page.fill("#search", number)
    await page.press("#search", "Enter")
    await page.wait_for_url(f"**q={number}**")
    assert sorted(await page.locator("table.grid tbody td:first-child a").all_text_contents()) == \
        ["SN-u-late", "op-u-late"]
    assert set(await page.locator("table.grid tbody td.owner").all_text_contents()) == {"华虹半导体一厂"}
    assert await page.locator("#xlsx").count() == 1
    await shot(page, "desk-units-by-document-zh")


async def test_customs_filings_and_a_stocktake_in_chinese(desk: Desk, browser: Any) -> None:
    rt = desk.loop.rt
    await book(rt)
    await decide(desk, "u-aw1")
    filing = await filings.file_exit(rt.uow(), FileExit(["u-aw1"], "5"), DESK)
    page = await sign_in(browser, desk.url, locale="zh-CN")
    await page.goto(f"{desk.url}/desk/filings")
    row = page.locator(f'tr[data-filing="{filing.id}"]')
    assert "已发送，待回执" in (await row.text_content() or "")
    await shot(page, "desk-filings-zh")
    await row.locator("a").click()
    await page.wait_for_selector("#messages")
    assert "待发送" in (await page.text_content("#messages") or "")  # the customs worker has not sent it yet
    await page.click("#messages summary")
    assert "<book_item_no>1</book_item_no>" in (await page.text_content("#messages pre") or "")
    await shot(page, "desk-filing-zh")

    await page.goto(f"{desk.url}/desk/stocktakes")
    await page.fill("#form-open-stocktake input[name=location]", "保税仓 A")
    await page.click("#form-open-stocktake button")
    await page.wait_for_selector("#stocktake-lines")
    on_hand = (await page.text_content('tr[data-item-no="1"] td:nth-child(4)') or "").strip()
    in_bond = ["SN-u-aw1", "SN-u-aw2", "SN-u-br", "SN-u-late", "SN-u-recv", "SN-u-rep1", "SN-u-rep2"]
    assert int(on_hand) == len(in_bond), "the seed's units in bond are on the book's side"
    await page.fill("input[name=qty_1]", str(len(in_bond) - 1))
    await page.fill("textarea[name=serials_1]", "\n".join(s for s in in_bond if s != "SN-u-recv"))  # one not found
    await page.click("#save-counts")
    await page.wait_for_selector("#differences")
    assert (await page.text_content('tr[data-item-no="1"] td.diff') or "").strip() == "-1"
    assert "未找到: SN-u-recv" in (await page.text_content('tr[data-item-no="1"]') or "")
    await page.fill("#form-difference-1 input[name=note]", "一台送外校准")
    await page.click("#form-difference-1 button[value=explain]")
    await page.wait_for_selector("#differences >> text=已解释")
    await page.click("#close-stocktake")
    await page.wait_for_selector("#stocktake-state >> text=已结束")
    await shot(page, "desk-stocktake-zh")


async def test_a_customs_officer_reads_the_board_without_acting(desk: Desk, browser: Any) -> None:
    await decide(desk, "u-aw1")
    page = await sign_in(browser, desk.url, role="customs_officer")
    await page.goto(f"{desk.url}/desk/shipments")
    assert await page.locator("#pick-declare tbody tr").count() == 1
    assert await page.locator("input[name=item_ids]").count() == 0 and await page.locator("form.batch").count() == 0
    await page.click("#lane-shipped .shipment-card >> nth=0")
    await page.wait_for_selector("#papers")
    assert await page.locator("#form-advance").count() == 0
    await shot(page, "desk-shipment-officer")
