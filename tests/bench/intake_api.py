"""Everything the benchmark knows about intake's HTTP API, in one place (it changes; adapt it here).

- the write measured for throughput: POST /v1/repair-requests with one unit (announces a unit with a
  fresh serial number: a unit row, a request row, a history row and an outbox row in one transaction);
- the path a unit takes to `received` (announce, customs declaration, receipt), done in bulk before
  the propagation run, so that the measured traffic is only POST /v1/units/{id}/release.
"""
from __future__ import annotations

import asyncio
import json
from typing import Any

from tests.bench.http import Connection
from tests.support.intake import declaration_body, owner_body, unit_body
from tests.support.stack import token

OWNER, ORIGIN, SERIAL = "bench-owner", "KR", "__SERIAL__"
CLERK, OFFICER = token("intake_clerk"), token("customs_officer")
WRITE_PATH = "/v1/repair-requests"
NO_INSPECTIONS = {"INTAKE_INSPECTION_RATES": json.dumps({t: 0.0 for t in (
    "advanced_certified", "certified", "general", "dishonest", "seriously_dishonest")})}


def write_body(serial: str = SERIAL, units: int = 1) -> dict[str, Any]:
    return {"owner_id": OWNER, "origin": ORIGIN,
            "units": [unit_body(serial if units == 1 else f"{serial}-{i}") for i in range(units)]}


def connection(port: int, headers: dict[str, str] = CLERK) -> Connection:
    return Connection("127.0.0.1", port, headers)


async def ensure_owner(port: int) -> None:
    conn = connection(port)
    try:
        status, body = await conn.json("POST", "/v1/owners", owner_body(OWNER, tier="advanced_certified"))
        if status not in (201, 409):
            raise RuntimeError(f"could not register the benchmark owner: {status} {body}")
    finally:
        conn.close()


async def _expect(conn: Connection, method: str, path: str, payload: Any, status: int) -> Any:
    got, body = await conn.json(method, path, payload)
    if got != status:
        raise RuntimeError(f"{method} {path}: expected {status}, got {got}: {str(body)[:500]}")
    return body


async def stage_received(port: int, count: int, tag: str, parallel: int = 8) -> list[str]:
    """Bring ``count`` new units to `received`; returns their ids."""
    await ensure_owner(port)
    conn, officer, units = connection(port), connection(port, OFFICER), []
    try:
        for start in range(0, count, 500):
            n = min(500, count - start)
            body = await _expect(conn, "POST", WRITE_PATH, write_body(f"{tag}-{start}", n), 201)
            batch = [(u["id"], u["serial_number"], u["part_number"]) for u in body["units"]]
            decl = await _expect(conn, "POST", "/v1/declarations", declaration_body([b[0] for b in batch]), 201)
            if decl["inspection"]["selected"]:
                await _expect(officer, "POST", f"/v1/declarations/{decl['id']}/inspection",
                              {"method": "on_site", "passed": True, "seals": ["BENCH-1"]}, 200)
            units += batch
    finally:
        conn.close()
        officer.close()
    queue: asyncio.Queue[tuple[str, str, str]] = asyncio.Queue()
    for u in units:
        queue.put_nowait(u)

    async def receiver() -> None:
        c = connection(port)
        try:
            while not queue.empty():
                unit_id, serial, part = queue.get_nowait()
                await _expect(c, "POST", f"/v1/units/{unit_id}/receipt",
                              {"serial_number": serial, "part_number": part}, 200)
        finally:
            c.close()

    await asyncio.gather(*(receiver() for _ in range(parallel)))
    return [u[0] for u in units]


def release_path(unit_id: str) -> str:
    return f"/v1/units/{unit_id}/release"
