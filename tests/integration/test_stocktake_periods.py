"""Stocktake and period close over the API on SQLite and PostgreSQL: the book's side frozen at the start, counts
per item and serial, one difference explained, one raised and resolved by a customs officer, the close; a period's
verification report checked against figures worked out by hand, read-only once closed, as JSON and CSV."""
from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

from shared.clock import utc_now
from shared.contract.events.common import Money
from shared.contract.events.intake import PartsReceived
from tests.integration.test_account_book import ADMIN, OFFICER, _ready, api  # noqa: F401 - the api fixture
from tests.integration.test_ledger_flow import T0, completed, feed, received
from tests.support.stack import token

DESK = token("dispatcher")


async def _stock(api) -> None:  # type: ignore[no-untyped-def]
    await _ready(api)
    for unit_id in ("u1", "u2"):
        await feed(api.rt, received(unit_id))
    await feed(api.rt, completed("u1"))
    await feed(api.rt, PartsReceived(receipt_id="r1", part_number="ORING", lot="L1", quantity=40,
                                     unit_value=Money(amount="3.00", currency="USD"), hs_code="8486909000",
                                     origin="foreign", documents={"bonded_inventory_list": "QD224426I000000002"},
                                     received_at=T0))


async def test_a_stocktake_with_one_difference_explained_and_one_resolved_by_customs(api):
    await _stock(api)
    r = await api.post("/v1/stocktakes", json={"location": "bonded store A"}, headers=DESK)
    assert r.status_code == 201, r.text
    st = r.json()
    assert {int(k): Decimal(v) for k, v in st["book"].items()} == {1: 2, 2: 40}
    r = await api.post(f"/v1/stocktakes/{st['id']}/counts", headers=DESK, json={"lines": [
        {"item_no": 1, "quantity": 1, "serials": ["SN-u1"]}, {"item_no": 2, "quantity": 38}]})
    assert r.status_code == 200, r.text
    diffs = {d["item_no"]: d for d in r.json()["differences"]}
    assert diffs[1]["missing_serials"] == ["SN-u2"] and Decimal(diffs[2]["difference"]) == -2
    bad = await api.post(f"/v1/stocktakes/{st['id']}/counts", headers=DESK,
                         json={"lines": [{"item_no": 99, "quantity": 1}]})
    assert bad.status_code == 422 and "items 99 are not in the account book" in bad.json()["detail"]
    r = await api.post(f"/v1/stocktakes/{st['id']}/close", headers=DESK)
    assert r.status_code == 409 and "items 1, 2" in r.json()["detail"]
    url = f"/v1/stocktakes/{st['id']}/differences"
    explained = await api.post(f"{url}/2", headers=DESK, json={"action": "explain",
                                                               "note": "2 issued to wo-7 before the count"})
    raised = await api.post(f"{url}/1", headers=DESK, json={"action": "raise", "note": "SN-u2 not found"})
    assert explained.status_code == raised.status_code == 200
    r = await api.post(f"{url}/1", headers=DESK, json={"action": "resolve", "note": "x"})
    assert r.status_code == 403 and "resolved by a customs officer" in r.json()["detail"]
    r = await api.post(f"{url}/1", headers=OFFICER, json={"action": "resolve", "note": "SN-u2 at the calibration lab"})
    assert r.status_code == 200 and r.json()["differences"][0]["by"].startswith("customs_officer:")
    r = await api.post(f"/v1/stocktakes/{st['id']}/close", headers=DESK)
    assert r.status_code == 200 and r.json()["state"] == "closed"
    again = await api.post(f"/v1/stocktakes/{st['id']}/counts", headers=DESK,
                           json={"lines": [{"item_no": 2, "quantity": 40}]})
    assert again.status_code == 409 and "is closed" in again.json()["detail"]
    assert (await api.get(f"/v1/stocktakes/{st['id']}", headers=OFFICER)).json()["state"] == "closed"


async def test_a_closed_period_reports_per_item_as_worked_out_by_hand_and_stays_as_closed(api):
    await _stock(api)  # u1, u2 in at T0 (10.00 USD each); u1 repaired at T0+3d; 40 O-rings at 3.00
    until = utc_now().replace(microsecond=0)
    r = await api.post("/v1/account-book/periods", headers=DESK,
                       json={"from": (T0 - timedelta(days=1)).isoformat(), "to": until.isoformat()})
    assert r.status_code == 201, r.text
    period = r.json()
    items = {i["material_no"]: i for i in period["report"]["items"]}
    tool, oring = items["0040-1"], items["ORING"]
    # by hand: 2 units in at 48.5 kg and 10.00 USD each; u1's transfer moves one out of and into the book item
    assert {m: Decimal(a["quantity"]) for m, a in tool["moved"].items()} == {
        "received": 2, "transferred_out": 1, "transferred_in": 1}
    assert Decimal(tool["on_hand"]["legal_quantity"]) == Decimal("97") and Decimal(tool["on_hand"]["value"]) == 20
    assert Decimal(oring["on_hand"]["value"]) == 120 and oring["balanced"] and tool["balanced"]
    r = await api.post("/v1/account-book/periods", headers=DESK,
                       json={"from": T0.isoformat(), "to": (T0 + timedelta(days=1)).isoformat()})
    assert r.status_code == 409 and "overlaps" in r.json()["detail"]
    r = await api.post("/v1/account-book/periods", headers=DESK,
                       json={"from": until.isoformat(), "to": (until + timedelta(days=30)).isoformat()})
    assert r.status_code == 422 and "once it has ended" in r.json()["detail"]
    await feed(api.rt, received("u3", at=T0 + timedelta(days=1)))  # a late event dated inside the closed period
    r = await api.get(f"/v1/account-book/periods/{period['id']}", headers=OFFICER)
    kept = {i["material_no"]: i for i in r.json()["report"]["items"]}["0040-1"]
    assert Decimal(kept["moved"]["received"]["quantity"]) == 2, "a closed period's report does not change"
    assert r.json()["lines_recorded_after_close"] == 1
    r = await api.get(f"/v1/account-book/periods/{period['id']}", headers=OFFICER, params={"format": "csv"})
    assert r.content.startswith(b"\xef\xbb\xbf") and "book-H2244B000001-" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    value = next(x for x in rows if x["material_no"] == "0040-1" and x["measure"] == "value")
    assert (Decimal(value["received"]), Decimal(value["closing"]), value["balanced"]) == (20, 20, "True")
    assert (await api.get("/v1/account-book/periods", headers=OFFICER)).json()[0]["id"] == period["id"]


async def test_the_desk_shows_customs_officers_the_book_its_balances_and_the_closed_periods(api):
    from tests.integration.test_dashboard_pages import sign_in

    await sign_in(api, "customs_officer", next="/desk/book")
    assert 'id="no-book"' in (await api.get("/desk/book")).text
    await _stock(api)
    r = await api.post("/v1/account-book/periods", headers=DESK,
                       json={"from": (T0 - timedelta(days=1)).isoformat(), "to": utc_now().isoformat()})
    period = r.json()["id"]
    page = (await api.get("/desk/book")).text
    assert "H2244B000001" in page and "0040-1" in page and "ORING" in page
    assert "<b>2</b>" in page and "97 035" in page and "20.00 USD" in page, "two tools on hand, 97 kg, 20.00 USD"
    assert "badge breached" not in page and f"/desk/book/periods/{period}.csv" in page
    csv_body = await api.get(f"/desk/book/periods/{period}.csv")
    assert csv_body.status_code == 200 and csv_body.content.startswith(b"\xef\xbb\xbf")
