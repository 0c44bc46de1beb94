"""The desk finds units by document number (entry and exit inventory lists 核注清单, gate passes 核放单, tracking
numbers) and by owner name, and shows owners by name everywhere: table, unit page, CSV, the dashboard's chart."""
from __future__ import annotations

import csv
import io
import re

import httpx

from tests.browser.seed import EXIT_ABROAD, OWNERS, entry_documents
from tests.integration.test_dashboard_pages import sign_in, site  # noqa: F401 - the fixture, on SQLite and PG

LINK = re.compile(r'<a href="/desk/units/([^"]+)">')


async def found(client: httpx.AsyncClient, **params: str) -> list[str]:
    r = await client.get("/desk/units", params={"size": "200", "sort": "unit", **params})
    assert r.status_code == 200, r.text
    return LINK.findall(r.text)


async def test_a_document_number_finds_the_units_it_moved(site: httpx.AsyncClient) -> None:
    await sign_in(site, "dispatcher")
    entry = entry_documents("u-late")
    for number in (entry["bonded_inventory_list"], entry["gate_pass"]):
        # the unit and its old part (the part came in with it)
        assert await found(site, q=number) == ["op-u-late", "u-late"], number
    exits = EXIT_ABROAD["bonded_inventory_list_no"]
    assert await found(site, q=exits) == ["u-sh1", "u-sh2"]  # both left on the seed's exit documents
    assert await found(site, q=EXIT_ABROAD["gate_pass_no"]) == ["u-sh1", "u-sh2"]
    assert await found(site, q="T-u-sh2") == ["u-sh2"]  # its shipment's tracking number
    assert await found(site, q="T-u-sh2", stage="intake") == []  # the other filters still apply
    assert await found(site, q="QD224426I999999999") == []
    assert await found(site, q='%"') == []  # no wildcard gets through


async def test_owners_are_found_by_name_and_shown_by_name(site: httpx.AsyncClient) -> None:
    await sign_in(site, "dispatcher")
    fab2 = ["u-aw2", "u-recv", "u-sh1", "u-sh2"]
    assert await found(site, q="hsinchu fab") == fab2  # any case, part of the name
    assert await found(site, owner="华虹") == ["op-u-aw1", "op-u-late", "u-aw1", "u-late", "u-new", "u-rep1"]
    assert await found(site, owner="fab-2") == fab2  # the id still works
    assert await found(site, owner="nobody") == []
    page = (await site.get("/desk/units", params={"q": "SN-u-rep2"})).text
    assert 'title="oem-3">Applied Plasma OEM</td>' in page
    unit = (await site.get("/desk/units/u-aw1")).text
    assert re.search(r'id="unit-owner" title="fab-1">华虹半导体一厂<', unit)
    r = await site.get("/desk/units.csv", params={"q": "SN-u-aw2"})
    (row,) = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert (row["owner_id"], row["owner_name"]) == ("fab-2", OWNERS["fab-2"][0])
    figures = (await site.get("/desk/data/figures.json")).json()
    assert figures["owner_names"] == {k: v[0] for k, v in OWNERS.items()}
