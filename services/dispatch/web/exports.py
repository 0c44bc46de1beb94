"""The units table as an Excel workbook (``/desk/units.xlsx``), beside the CSV: the same filters, the same columns.

XlsxWriter in constant-memory mode writes row by row to a temporary file (the rows come ``chunk`` at a time from one
server-side cursor, as the CSV's do), so a large export never sits in memory; the file is sent and then deleted."""
from __future__ import annotations

import os
import tempfile
from typing import Any

import xlsxwriter
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from services.dispatch.service import desk_search
from services.dispatch.web import rows
from services.dispatch.web.desk import CSV_COLUMNS, Table, policy, uow
from services.dispatch.web.routing import DeskRoute
from services.dispatch.web.session import Reader

router = APIRouter(prefix="/desk", include_in_schema=False, route_class=DeskRoute)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WIDE = {"item_id": 38, "unit_id": 38, "description": 30, "owner_name": 24, "serial_number": 20, "part_number": 18}


def _cell(value: Any) -> Any:
    return "" if value is None else value if isinstance(value, int | float) else str(value)


@router.get("/units.xlsx")
async def units_xlsx(request: Request, _who: Reader, q: Table) -> FileResponse:
    p, f = policy(request), q.filter()
    fd, path = tempfile.mkstemp(prefix="desk-units-", suffix=".xlsx")
    os.close(fd)
    try:
        book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_numbers": False,
                                          "strings_to_formulas": False, "strings_to_urls": False})
        sheet = book.add_worksheet("units")
        head = book.add_format({"bold": True, "bg_color": "#E8EEF5", "border": 1})
        for col, name in enumerate(CSV_COLUMNS):
            sheet.set_column(col, col, WIDE.get(name, 14))
        sheet.write_row(0, 0, CSV_COLUMNS, head)
        sheet.freeze_panes(1, 0)
        n = 0
        async for chunk, names in desk_search.export(uow(request), f):
            for r in chunk:
                v = rows.view(r, p, names)
                n += 1
                sheet.write_row(n, 0, [_cell(v.get(c)) for c in CSV_COLUMNS])
        sheet.autofilter(0, 0, max(n, 1), len(CSV_COLUMNS) - 1)
        book.close()
    except BaseException:
        os.unlink(path)
        raise
    return FileResponse(path, media_type=XLSX, filename="units.xlsx", background=BackgroundTask(os.unlink, path),
                        headers={"Cache-Control": "no-store"})
