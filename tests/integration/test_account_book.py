"""The account book on SQLite and PostgreSQL: opened and kept by an admin through the API, every ledger line
booked to its item in legal units and value as it is recorded, per-item balances that reconcile in quantity and
value, lines from before an item was registered booked afterwards, and clear refusals."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from services.dispatch.db.ledger import LineFilter
from services.dispatch.service import ledger
from shared.contract.events.common import Money, PartLine
from shared.contract.events.intake import PartsReceived
from shared.contract.events.repair import PartsConsumed
from tests.integration.test_dispatch_flow import api  # noqa: F401 - the dispatch API on each database
from tests.integration.test_ledger_flow import OUT_DOCS, T0, completed, feed, received
from tests.support.stack import token

BOOK = {"book_no": "H2244B000001", "enterprise_code": "3122W60001", "enterprise_name": "Lingang Bonded Repair",
        "customs_district": "2244", "valid_from": "2026-01-01", "valid_to": "2027-12-31"}
TOOL = {"kind": "unit", "material_no": "0040-1", "hs_code": "8486909000", "goods_name": "射频发生器 RF generator",
        "declared_unit": "001", "unit_price": "18500.00", "currency": "USD", "legal_per_declared": "48.5"}
ORING = {"kind": "part_lot", "material_no": "ORING", "hs_code": "8486909000", "goods_name": "O-ring",
         "declared_unit": "007", "unit_price": "10.00", "currency": "USD", "legal_per_declared": "0.002"}
ADMIN, OFFICER = token("admin"), token("customs_officer")


async def test_an_admin_opens_the_book_and_registers_items_with_their_legal_units(api):
    assert (await api.get("/v1/account-book", headers=OFFICER)).status_code == 404
    assert (await api.post("/v1/account-book", json=BOOK, headers=OFFICER)).status_code == 403
    r = await api.post("/v1/account-book", json=BOOK, headers=ADMIN)
    assert r.status_code == 201, r.text
    assert (await api.post("/v1/account-book", json=BOOK, headers=ADMIN)).status_code == 409
    r = await api.post("/v1/account-book/items", json=TOOL, headers=ADMIN)
    assert r.status_code == 201, r.text
    assert (r.json()["item_no"], r.json()["legal_unit"], Decimal(r.json()["legal_per_declared"])) == (1, "035", 48.5)
    r = await api.post("/v1/account-book/items", json=TOOL, headers=ADMIN)
    assert r.status_code == 409 and "already item of book H2244B000001" in r.json()["detail"]
    r = await api.post("/v1/account-book/items", json=TOOL | {"material_no": "X", "legal_per_declared": None},
                       headers=ADMIN)
    assert r.status_code == 422 and "give legal_per_declared, how many 035 one 001 is" in r.json()["detail"]
    r = await api.post("/v1/account-book/items", json=TOOL | {"material_no": "Y", "hs_code": "1234567890"},
                       headers=ADMIN)
    assert r.status_code == 422 and "HS code 1234567890 has no legal units" in r.json()["detail"]
    r = await api.post("/v1/account-book", json=BOOK | {"book_no": "H3100B000002"}, headers=ADMIN)
    assert r.status_code == 422 and "names district 3100" in r.json()["detail"]
    book = (await api.get("/v1/account-book", headers=OFFICER)).json()
    assert book["book"]["book_no"] == "H2244B000001" and [i["item_no"] for i in book["items"]] == [1]


async def _ready(api) -> None:  # type: ignore[no-untyped-def]
    for path, body in (("/v1/account-book", BOOK), ("/v1/account-book/items", TOOL),
                       ("/v1/account-book/items", ORING)):
        assert (await api.post(path, json=body, headers=ADMIN)).status_code == 201


def _items(body: dict) -> dict[str, dict]:
    """Per material number, with every amount as a Decimal (the two databases spell them differently)."""
    def amounts(d: dict) -> dict:
        return {k: Decimal(v) for k, v in d.items()}
    return {i["material_no"]: i | {"moved": {m: amounts(a) for m, a in i["moved"].items()},
                                   "on_hand": amounts(i["on_hand"]), "opening": amounts(i["opening"])}
            for i in body["items"]}


def amounts(quantity: str, legal: str, value: str) -> dict[str, Decimal]:
    return {"quantity": Decimal(quantity), "legal_quantity": Decimal(legal), "value": Decimal(value)}


async def test_lines_are_booked_in_legal_units_and_value_and_each_item_reconciles(api):
    await _ready(api)
    rt = api.rt
    for unit_id in ("u1", "u2"):
        await feed(rt, received(unit_id))  # declared value 10.00 USD each
    await feed(rt, PartsReceived(receipt_id="r1", part_number="ORING", lot="L1", quantity=3,
                                 unit_value=Money(amount="3.00", currency="USD"), hs_code="8486909000",
                                 origin="foreign", documents={"bonded_inventory_list": "QD224426I000000002"},
                                 received_at=T0))
    await feed(rt, completed("u1", parts=[PartLine(part_number="ORING", lot="L1", quantity=2,
                                                   unit_value=Money(amount="3.00", currency="USD"),
                                                   origin="foreign")]))
    async with rt.uow() as uow:
        await ledger.record_movement(uow, item_id="u1", item_kind="unit", category="repaired_units",
                                     movement="exported", quantity=1, documents=OUT_DOCS, at=T0 + timedelta(days=4))
        await uow.commit()
    lines = await ledger.lines(rt.uow(), LineFilter(item_id="u1"), 10, 0)
    assert [(ln.movement.value, ln.book_item_no, ln.legal_quantity, ln.value) for ln in lines] == [
        ("received", 1, Decimal("48.5"), Decimal("10.00")),
        ("transferred_out", 1, Decimal("48.5"), Decimal("10.00")),
        ("transferred_in", 1, Decimal("48.5"), Decimal("10.00")),
        ("exported", 1, Decimal("48.5"), Decimal("10.00"))]
    body = (await api.get("/v1/account-book/balances", headers=OFFICER)).json()
    tool, oring = _items(body)["0040-1"], _items(body)["ORING"]
    assert tool["moved"]["received"] == amounts("2", "97", "20.00")
    assert tool["moved"]["exported"] == amounts("1", "48.5", "10.00") and tool["on_hand"] == amounts("1", "48.5", "10")
    assert tool["balanced"] is True
    assert oring["moved"]["consumed"] == amounts("2", "0.004", "6.00")
    assert oring["on_hand"] == amounts("1", "0.002", "3.00")
    assert oring["balanced"] is True and body["lines_not_in_book"] == 0


async def test_a_period_opens_with_what_was_on_hand_and_parts_used_beyond_stock_show_unbalanced(api):
    await _ready(api)
    rt = api.rt
    await feed(rt, received("u1"))
    await feed(rt, completed("u1"))
    body = (await api.get("/v1/account-book/balances", headers=OFFICER,
                          params={"from": (T0 + timedelta(days=1)).isoformat()})).json()
    tool = _items(body)["0040-1"]
    assert tool["opening"]["quantity"] == 1 and "received" not in tool["moved"] and tool["balanced"] is True
    await feed(rt, PartsReceived(receipt_id="r1", part_number="ORING", lot="L1", quantity=3,
                                 unit_value=Money(amount="3.00", currency="USD"), hs_code="8486909000",
                                 origin="foreign", documents={"bonded_inventory_list": "QD224426I000000002"},
                                 received_at=T0))
    oring = _items((await api.get("/v1/account-book/balances", headers=OFFICER)).json())["ORING"]
    assert oring["balanced"] is True
    await feed(rt, PartsConsumed(unit_id="u1", work_order_id="wo-u1", owner_id="fab-1", consumed_at=T0,
                                 parts=[PartLine(part_number="ORING", lot=None, quantity=5, origin="foreign",
                                                 unit_value=Money(amount="3.00", currency="USD"))]))  # 3 came in
    oring = _items((await api.get("/v1/account-book/balances", headers=OFFICER)).json())["ORING"]
    assert oring["balanced"] is False, "parts that went out without coming in break their item's identity"
    assert oring["on_hand"]["quantity"] == 0 and oring["moved"]["consumed"]["quantity"] == 5


async def test_lines_recorded_before_the_item_existed_are_booked_afterwards(api):
    rt = api.rt
    await feed(rt, received("u1"))
    await feed(rt, completed("u1"))
    assert (await api.post("/v1/account-book", json=BOOK, headers=ADMIN)).status_code == 201
    body = (await api.get("/v1/account-book/balances", headers=OFFICER)).json()
    assert body["items"] == [] and body["lines_not_in_book"] == 3
    assert (await api.post("/v1/account-book/items", json=TOOL, headers=ADMIN)).status_code == 201
    assert (await api.post("/v1/account-book/assign", headers=OFFICER)).status_code == 403
    r = await api.post("/v1/account-book/assign", headers=ADMIN)
    assert r.json() == {"booked": 3}
    body = (await api.get("/v1/account-book/balances", headers=OFFICER)).json()
    tool = _items(body)["0040-1"]
    assert body["lines_not_in_book"] == 0 and tool["balanced"] is True
    assert tool["on_hand"] == amounts("1", "48.5", "10.00")
    assert (await api.post("/v1/account-book/assign", headers=ADMIN)).json() == {"booked": 0}
