"""The units table's Excel export: the CSV's filters and columns, cell for cell, in a real .xlsx workbook (read back
here with the standard library: an .xlsx is a zip of XML parts)."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from xml.etree import ElementTree

import httpx

from services.dispatch.web.desk import CSV_COLUMNS
from tests.integration.test_dashboard_pages import sign_in, site  # noqa: F401 - the fixture, on SQLite and PG

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def column(ref: str) -> int:
    n = 0
    for ch in re.match(r"[A-Z]+", ref).group(0):  # type: ignore[union-attr]
        n = n * 26 + ord(ch) - 64
    return n - 1


def sheet_rows(content: bytes) -> list[list[str]]:
    """The first worksheet's cells as text (shared or inline strings, numbers as written)."""
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        shared: list[str] = []
        if "xl/sharedStrings.xml" in z.namelist():
            root = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")) for si in root.findall("m:si", NS)]
        sheet = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))
    out = []
    for row in sheet.iter(f"{{{NS['m']}}}row"):
        cells: dict[int, str] = {}
        for c in row.findall("m:c", NS):
            kind, v = c.get("t"), c.find("m:v", NS)
            if kind == "s" and v is not None:
                text = shared[int(v.text or 0)]
            elif kind == "inlineStr":
                text = "".join(t.text or "" for t in c.iter(f"{{{NS['m']}}}t"))
            else:
                text = v.text or "" if v is not None else ""
            cells[column(c.get("r", "A"))] = text
        out.append([cells.get(i, "") for i in range(len(CSV_COLUMNS))])
    return out


async def test_the_excel_export_has_the_csvs_rows_and_columns(site: httpx.AsyncClient) -> None:
    await sign_in(site, "dispatcher")
    params = {"owner": "fab-1", "sort": "unit"}
    xlsx = await site.get("/desk/units.xlsx", params=params)
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="units.xlsx"' in xlsx.headers["content-disposition"]
    got = sheet_rows(xlsx.content)
    text = (await site.get("/desk/units.csv", params=params)).content.decode("utf-8-sig")
    want = list(csv.reader(io.StringIO(text)))
    assert got[0] == list(CSV_COLUMNS) == want[0]
    assert got == want and len(got) == 7  # the header and fab-1's six items, the same cells in the same order
    assert "华虹半导体一厂" in got[1]  # Chinese as it is (the owner's name)
    page = await site.get("/desk/units", params=params)
    assert 'id="xlsx" href="/desk/units.xlsx?owner=fab-1' in page.text
    empty = sheet_rows((await site.get("/desk/units.xlsx", params={"q": "nothing-such"})).content)
    assert empty == [list(CSV_COLUMNS)]
