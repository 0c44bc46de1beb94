"""The shipments board and its batch actions over HTTP (SQLite and PostgreSQL): several exits declared at once and
several items added to one shipment through dispatch's use cases, each item's outcome shown (refusals in the
reader's language, nothing of a refused item written); a shipment's page offers its one next step only."""
from __future__ import annotations

import re

import httpx
from sqlalchemy import func, select

from services.dispatch.db.tables import DispatchItemRow, ShipmentRow
from services.dispatch.domain.destinations import Destination
from services.dispatch.service import decisions
from tests.browser.seed import DESK, EXIT_ABROAD, VAT
from tests.integration.test_dashboard_pages import csrf, sign_in, site  # noqa: F401 - the fixture, on SQLite and PG


async def states(client: httpx.AsyncClient, *ids: str) -> dict[str, tuple[str, str | None]]:
    async with client.rt.sessions() as s:  # type: ignore[attr-defined]
        rows = await s.execute(select(DispatchItemRow.item_id, DispatchItemRow.state, DispatchItemRow.shipment_id)
                               .where(DispatchItemRow.item_id.in_(ids)))
        return {i: (state, shipment) for i, state, shipment in rows}


async def shipments_count(client: httpx.AsyncClient) -> int:
    async with client.rt.sessions() as s:  # type: ignore[attr-defined]
        return int(await s.scalar(select(func.count()).select_from(ShipmentRow)) or 0)


def outcomes(html: str) -> dict[str, str]:
    rows = re.findall(r'<tr class="(ok|breached)" data-item="([^"]+)">', html)
    return {item: kind for kind, item in rows}


async def test_declare_several_then_ship_them_together(site: httpx.AsyncClient) -> None:
    rt = site.rt  # type: ignore[attr-defined]
    for unit in ("u-aw1", "u-late"):
        await decisions.decide(rt.uow(), unit, Destination.re_export, "US", VAT, DESK)
    await sign_in(site, "dispatcher")
    board = await site.get("/desk/shipments")
    assert board.status_code == 200
    assert re.findall(r'name="item_ids" value="([^"]+)" form="form-declare-many"', board.text) == ["u-late", "u-aw1"]
    token = csrf(board.text)
    docs = {k: v for k, v in EXIT_ABROAD.items()}
    r = await site.post("/desk/shipments/declare", data={"csrf": token, **docs,
                                                          "item_ids": ["u-aw1", "u-late", "u-aw2"]})
    assert r.status_code == 200, r.text  # two done, one refused: the page says so per item
    assert outcomes(r.text) == {"u-aw1": "ok", "u-late": "ok", "u-aw2": "breached"}
    assert "cannot declare item u-aw2" in r.text  # the service's words kept beside the translation
    assert (await states(site, "u-aw1", "u-late", "u-aw2")) == {
        "u-aw1": ("declared", None), "u-late": ("declared", None), "u-aw2": ("awaiting_dispatch", None)}

    before = await shipments_count(site)
    new = {"csrf": token, "carrier": "SF Express", "destination_country": "us", "address": "Fab 9, Austin TX"}
    r = await site.post("/desk/shipments/items", data={**new, "item_ids": ["u-aw1", "u-late"]})
    assert r.status_code == 422 and outcomes(r.text) == {"u-aw1": "breached", "u-late": "breached"}
    assert "0 done · 2 refused" in r.text and "Tracking no. is required for a new shipment." in r.text
    assert await shipments_count(site) == before, "a batch refused whole leaves no empty shipment"
    r = await site.post("/desk/shipments/items", data={**new, "tracking_number": "SF1234567890",
                                                        "item_ids": ["u-aw1", "u-late", "u-aw2"]})
    assert r.status_code == 200 and outcomes(r.text) == {"u-aw1": "ok", "u-late": "ok", "u-aw2": "breached"}
    shipment_id = re.search(r'href="/desk/shipments/([0-9a-f-]{36})" id="batch-shipment"', r.text).group(1)  # type: ignore[union-attr]
    assert {i: s for i, (_, s) in (await states(site, "u-aw1", "u-late")).items()} == {"u-aw1": shipment_id,
                                                                                      "u-late": shipment_id}
    board = await site.get("/desk/shipments")
    planned = board.text.split('id="lane-planned"')[1].split('id="lane-customs_cleared"')[0]
    assert f'data-shipment="{shipment_id}"' in planned and "SF1234567890" in planned

    for want_button, then in (("Mark as Customs cleared", "customs_cleared"), ("Mark as Shipped", "shipped"),
                              ("Mark as Delivered", "delivered")):
        page = await site.get(f"/desk/shipments/{shipment_id}")
        buttons = re.findall(r'<button type="submit" id="advance">([^<]+)</button>', page.text)
        assert buttons == [want_button], "one next step at a time: never shipped and delivered side by side"
        r = await site.post(f"/desk/shipments/{shipment_id}/advance", data={"csrf": token, "to": then})
        assert r.status_code == 303 and r.headers["location"].endswith(f"?done=mark_{then}")
    page = await site.get(f"/desk/shipments/{shipment_id}")
    assert 'id="advance"' not in page.text and 'id="shipment-state">Delivered<' in page.text
    assert (await states(site, "u-aw1"))["u-aw1"][0] == "delivered"
    unit = await site.get("/desk/units/u-aw1")
    assert 'id="destinations-card"' not in unit.text, "a delivered unit is offered no destinations"
    assert 'id="advance"' not in unit.text


async def test_batches_refused_whole_and_readers(site: httpx.AsyncClient) -> None:
    await sign_in(site, "dispatcher")
    token = csrf((await site.get("/desk/shipments")).text)
    r = await site.post("/desk/shipments/declare", data={"csrf": token, "supervision_mode": "1371",
                                                          "gate_pass_type": "1"},
                        headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 422 and "请至少选择一件物品。" in r.text  # no item chosen: said, nothing done
    r = await site.post("/desk/shipments/nonexistent/advance", data={"csrf": token, "to": "shipped"})
    assert r.status_code == 404
    assert (await site.get("/desk/shipments/nonexistent")).status_code == 404
    await sign_in(site, "customs_officer")
    board = await site.get("/desk/shipments")
    assert board.status_code == 200 and 'name="item_ids"' not in board.text and "form-add-many" not in board.text
    r = await site.post("/desk/shipments/items", data={"csrf": csrf(board.text), "item_ids": ["u-aw1"],
                                                        "tracking_number": "x"})
    assert r.status_code == 403
