"""The desk's customs pages over HTTP against the customs simulator (in process), SQLite and PostgreSQL: items filed
from the shipments board, the filing's messages and receipts with their states, a rejection shown with customs'
reason, corrected and resent, the gate pass once released; a stocktake opened, counted, a difference explained and
one raised, the close refused while one is open; customs officers read only."""
from __future__ import annotations

import re

from tests.integration.test_customs_filings import _book, _decided, _round, platform  # noqa: F401 - fixture
from tests.integration.test_dashboard_pages import csrf, sign_in
from tests.integration.test_dispatch_flow import api  # noqa: F401 - the dispatch API on each database


async def test_a_filing_from_the_board_rejected_corrected_resent_and_released(api, platform) -> None:  # type: ignore[no-untyped-def]
    p, control = platform
    await _book(api)
    for u in ("u1", "u2"):
        await _decided(api, u)
    await sign_in(api, "dispatcher", next="/desk/shipments")
    board = await api.get("/desk/shipments")
    assert 'formaction="/desk/filings"' in board.text
    token = csrf(board.text)
    r = await api.post("/desk/filings", data={"csrf": token, "item_ids": ["u1", "u2"], "transport_mode": "5",
                                              "supervision_mode": "1371"})
    assert r.status_code == 303, r.text
    filing = r.headers["location"].split("/desk/filings/")[1].split("?")[0]
    page = (await api.get(f"/desk/filings/{filing}")).text
    assert 'id="waits"' in page and "waiting to go out" in page  # the message waits for the customs worker
    assert "&lt;book_item_no&gt;1&lt;/book_item_no&gt;" in page, "the XML as it goes out"

    await control.post("/v1/control", json={"reject_next": "商品编码与备案不符 HS code differs from the book"})
    await _round(api, p)
    rejected = (await api.get("/desk/filings", params={"show": "rejected"})).text
    assert f'data-filing="{filing}" data-state="rejected"' in rejected and "HS code differs" in rejected
    page = (await api.get(f"/desk/filings/{filing}", headers={"Accept-Language": "zh-CN"})).text
    assert 'id="rejection"' in page and "商品编码与备案不符" in page and "被退单" in page
    assert 'data-receipt="rejected"' in page and "模拟" in page  # the simulator's receipt, marked so
    assert 'id="form-resend"' in page and 'id="form-gate-pass"' not in page
    r = await api.post(f"/desk/filings/{filing}/gate-pass", data={"csrf": token, "vehicle_no": "沪A12345"},
                       headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 409 and "须待清单放行后方可发送核放单" in r.text  # refused, in the reader's words
    r = await api.post(f"/desk/filings/{filing}/resend", data={"csrf": token, "transport_mode": "5"})
    assert r.status_code == 303 and r.headers["location"].endswith("?done=resend_list")
    await _round(api, p)
    page = (await api.get(f"/desk/filings/{filing}")).text
    assert 'id="filing-state">released<' in page and re.search(r'id="list-no">QD\d{4}\d{2}E\d{9}<', page)
    assert page.count('data-message="') == 2 and 'id="form-gate-pass"' in page
    r = await api.post(f"/desk/filings/{filing}/gate-pass", data={"csrf": token, "vehicle_no": "沪A12345"})
    assert r.status_code == 303
    await _round(api, p)
    closed = (await api.get("/desk/filings", params={"show": "done"})).text
    assert f'data-filing="{filing}" data-state="closed"' in closed

    await sign_in(api, "customs_officer", next="/desk/filings")
    page = (await api.get(f"/desk/filings/{filing}")).text
    assert "form-resend" not in page and "actions need the dispatcher role" in page
    r = await api.post(f"/desk/filings/{filing}/cancellation", data={"csrf": csrf(page), "reason": "x"})
    assert r.status_code == 403


async def test_a_stocktake_counted_explained_raised_and_not_closed_while_one_is_open(api) -> None:  # type: ignore[no-untyped-def]
    await _book(api)
    for u in ("u1", "u2"):
        await _decided(api, u)
    await sign_in(api, "dispatcher", next="/desk/stocktakes")
    token = csrf((await api.get("/desk/stocktakes")).text)
    r = await api.post("/desk/stocktakes", data={"csrf": token, "location": "  "})
    assert r.status_code == 422 and "Say which custody location is counted." in r.text
    r = await api.post("/desk/stocktakes", data={"csrf": token, "location": "bonded store A"})
    assert r.status_code == 303
    sid = r.headers["location"].split("/desk/stocktakes/")[1].split("?")[0]
    page = (await api.get(f"/desk/stocktakes/{sid}")).text
    assert 'data-item-no="1"' in page and 'name="serials_1"' in page
    r = await api.post(f"/desk/stocktakes/{sid}/counts", data={"csrf": token, "qty_1": "lots"})
    assert r.status_code == 422 and "is not a number" in r.text
    r = await api.post(f"/desk/stocktakes/{sid}/counts", data={"csrf": token, "qty_1": "1", "serials_1": "SN-u1"})
    assert r.status_code == 303
    page = (await api.get(f"/desk/stocktakes/{sid}")).text
    assert re.search(r'data-item-no="1" class="breached">.*?<b>-1</b>', page, re.S), "counted 1 of the book's 2"
    assert "missing: SN-u2" in page
    r = await api.post(f"/desk/stocktakes/{sid}/close", data={"csrf": token})
    assert r.status_code == 409 and "neither explained nor resolved" in r.text
    r = await api.post(f"/desk/stocktakes/{sid}/differences/1", data={"csrf": token, "action": "raise",
                                                                      "note": "SN-u2 not found on the shelf"})
    assert r.status_code == 303
    page = (await api.get(f"/desk/stocktakes/{sid}")).text
    assert "raised to customs" in page and "a customs officer resolves it" in page
    r = await api.post(f"/desk/stocktakes/{sid}/close", data={"csrf": token})
    assert r.status_code == 409  # a raised discrepancy waits for customs
    await sign_in(api, "customs_officer", next="/desk/stocktakes")
    page = (await api.get(f"/desk/stocktakes/{sid}")).text
    assert 'name="qty_1"' not in page and "form-close" not in page and "SN-u2 not found on the shelf" in page
    listing = (await api.get("/desk/stocktakes")).text
    assert f'data-stocktake="{sid}"' in listing and "form-open-stocktake" not in listing
