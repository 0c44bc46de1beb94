"""The papers over HTTP (SQLite and PostgreSQL): a shipment's packing list and labels and a unit's label from the
desk, in the reader's language; the period-close verification report as a printable PDF from the API and the desk
(Chinese and English), beside its CSV."""
from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from services.dispatch.db.tables import ShipmentRow
from services.dispatch.web import i18n
from shared.clock import utc_now
from tests.integration.test_account_book import OFFICER
from tests.integration.test_dashboard_pages import sign_in, site  # noqa: F401 - the seeded desk, on SQLite and PG
from tests.integration.test_dispatch_flow import api  # noqa: F401 - the dispatch API on each database
from tests.integration.test_ledger_flow import T0
from tests.integration.test_stocktake_periods import DESK, _stock
from tests.unit.test_papers import barcodes, pages, text


async def shipment_of(client: httpx.AsyncClient, tracking: str) -> str:
    async with client.rt.sessions() as s:  # type: ignore[attr-defined]
        return str(await s.scalar(select(ShipmentRow.id).where(ShipmentRow.tracking_number == tracking)))


async def test_a_shipments_packing_list_and_labels(site: httpx.AsyncClient) -> None:
    await sign_in(site, "customs_officer")  # a reader may print
    sid = await shipment_of(site, "T-u-sh1")
    page = await site.get(f"/desk/shipments/{sid}")
    assert f'href="/desk/shipments/{sid}/packing-list.pdf"' in page.text
    r = await site.get(f"/desk/shipments/{sid}/packing-list.pdf", headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    shown = text(r.content)
    for want in ("装箱单", "T-u-sh1", "SN-u-sh1", "Hsinchu Fab Two", "42,000.00 USD", "QD224426E000000001", "已发运"):
        assert want in shown, want
    r = await site.get(f"/desk/shipments/{sid}/labels.pdf")
    assert r.status_code == 200 and pages(r.content) == 1 and barcodes(r.content) == ["u-sh1"]
    assert "SN-u-sh1" in text(r.content) and "Hsinchu Fab Two" in text(r.content)
    assert (await site.get("/desk/shipments/nope/labels.pdf")).status_code == 404


async def test_a_units_label_wherever_it_is(site: httpx.AsyncClient) -> None:
    await sign_in(site, "dispatcher")
    assert 'href="/desk/units/u-rep1/label.pdf"' in (await site.get("/desk/units/u-rep1")).text
    r = await site.get("/desk/units/u-rep1/label.pdf", headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 200 and barcodes(r.content) == ["u-rep1"]
    shown = text(r.content)
    for want in ("SN-u-rep1", "RF-GEN-3KW", "华虹半导体一厂", i18n.Translator("zh").state("in_repair")):
        assert want in shown, want
    assert (await site.get("/desk/units/no-such/label.pdf")).status_code == 404


async def test_the_period_report_as_a_printable_pdf(api: httpx.AsyncClient) -> None:
    await _stock(api)
    r = await api.post("/v1/account-book/periods", headers=DESK, json={
        "from": (T0 - timedelta(days=1)).isoformat(), "to": utc_now().replace(microsecond=0).isoformat()})
    assert r.status_code == 201, r.text
    period = r.json()
    r = await api.get(f"/v1/account-book/periods/{period['id']}", params={"format": "pdf"}, headers=OFFICER)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].endswith('.pdf"')
    shown = text(r.content)
    for want in ("核销报告", "Verification report", period["book_no"], "射频发生器", "0040-1", "ORING", "期初",
                 "Opening", "转出", "dispatcher:"):
        assert want in shown, want
    assert (await api.get(f"/v1/account-book/periods/{period['id']}", params={"format": "doc"},
                          headers=OFFICER)).status_code == 422
    await sign_in(api, "customs_officer", next="/desk/book")
    book = await api.get("/desk/book")
    assert f'href="/desk/book/periods/{period["id"]}.pdf"' in book.text
    desk_pdf = await api.get(f"/desk/book/periods/{period['id']}.pdf")
    assert desk_pdf.status_code == 200 and text(desk_pdf.content) == shown
