"""Part 2: intake commit -> repair work order, at a steady rate, read back from both databases."""
from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import asyncpg

from shared.contract.events.intake import UnitReleasedToRepair
from shared.contract.registry import REGISTRY
from tests.bench.http import Connection, unit_body
from tests.bench.procs import Resources
from tests.bench.stats import CpuWindow, summary_ms
from tests.support.stack import token

RELEASED = REGISTRY.spec_for_model(UnitReleasedToRepair).ce_type


@dataclass(frozen=True)
class FlowSettings:
    rate_per_s: float = 50.0
    warmup_s: float = 3.0
    duration_s: float = 20.0
    with_dispatch: bool = True


class Driver:
    """Open-loop: one unit is received and released every 1/rate seconds, whatever the latency."""

    def __init__(self, port: int) -> None:
        self.port, self.idle, self.errors, self.max_lag_ms = port, [], [], 0.0
        self.headers, self.run_id = token("intake_clerk"), uuid.uuid4().hex[:8]

    async def unit(self, serial: str) -> str | None:
        conn = self.idle.pop() if self.idle else Connection("127.0.0.1", self.port, self.headers)
        try:
            status, body = await conn.json("POST", "/v1/units", unit_body(serial))
            if status != 201:
                self.errors.append(f"receive {status}: {body}")
                return None
            status, body = await conn.json("POST", f"/v1/units/{body['id']}/release")
            if status != 200:
                self.errors.append(f"release {status}: {body}")
                return None
            return body["id"]
        except Exception as exc:  # noqa: BLE001 - counted and reported, the run goes on
            conn.close()
            self.errors.append(repr(exc))
            return None
        finally:
            self.idle.append(conn)

    async def steady(self, rate: float, seconds: float) -> int:
        loop, tasks = asyncio.get_running_loop(), []
        start, n = loop.time(), int(rate * seconds)
        for i in range(n):
            delay = start + i / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self.max_lag_ms = max(self.max_lag_ms, -delay * 1000)
            tasks.append(asyncio.create_task(self.unit(f"FLOW-{self.run_id}-{i}")))
        await asyncio.gather(*tasks)
        return n


async def _count_work_orders(repair: asyncpg.Connection, unit_ids: list[str]) -> int:
    return await repair.fetchval("SELECT count(*) FROM work_orders WHERE unit_id = ANY($1::text[])", unit_ids)


async def _wait_for(repair: asyncpg.Connection, unit_ids: list[str], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await _count_work_orders(repair, unit_ids) >= len(unit_ids):
            return True
        await asyncio.sleep(0.2)
    return False


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _drive_and_collect(intake_port: int, urls: dict[str, str], flow: FlowSettings,
                             cpu: CpuWindow) -> dict[str, Any]:
    driver = Driver(intake_port)
    intake, repair = await asyncpg.connect(_dsn(urls["intake"])), await asyncpg.connect(_dsn(urls["repair"]))
    try:
        first = await driver.unit(f"PRIME-{driver.run_id}")
        if first is None or not await _wait_for(repair, [first], 60):
            raise RuntimeError(f"pipeline never opened a work order for the first unit: {driver.errors[:3]}")
        await driver.steady(flow.rate_per_s, flow.warmup_s)
        measure_from = datetime.now(timezone.utc)
        cpu.start()
        sent = await driver.steady(flow.rate_per_s, flow.duration_s)
        usage = cpu.stop()
        rows = await intake.fetch(
            "SELECT u.id, u.released_at, o.published_at FROM units u JOIN outbox o "
            "ON o.key = u.id AND o.type = $2 WHERE u.released_at >= $1", measure_from, RELEASED)
        ids = [r["id"] for r in rows]
        drained = await _wait_for(repair, ids, 30)
        rows = await intake.fetch(  # again: published_at may have been filled in since
            "SELECT u.id, u.released_at, o.published_at, o.event_id FROM units u JOIN outbox o "
            "ON o.key = u.id AND o.type = $2 WHERE u.released_at >= $1", measure_from, RELEASED)
        opened = {r["unit_id"]: r["opened_at"] for r in await repair.fetch(
            "SELECT unit_id, opened_at FROM work_orders WHERE unit_id = ANY($1::text[])", ids)}
        claimed = {r["event_id"]: r["processed_at"] for r in await repair.fetch("SELECT event_id, processed_at FROM inbox")}
    finally:
        await intake.close()
        await repair.close()
    ms = lambda a, b: (a - b).total_seconds() * 1000  # noqa: E731
    e2e = [ms(opened[r["id"]], r["released_at"]) for r in rows if r["id"] in opened]
    relay = [ms(r["published_at"], r["released_at"]) for r in rows if r["published_at"]]
    consume = [ms(claimed[r["event_id"]], r["published_at"]) for r in rows
               if r["published_at"] and r["event_id"] in claimed]
    return {"units_sent": sent, "units_released": len(rows), "work_orders": len(e2e),
            "missing_work_orders": len(rows) - len(e2e), "drained": drained,
            "driver_errors": len(driver.errors), "driver_error_samples": driver.errors[:5],
            "driver_max_schedule_lag_ms": round(driver.max_lag_ms, 1),
            "propagation": summary_ms(e2e), "stage_release_to_published": summary_ms(relay),
            "stage_published_to_inbox_claim": summary_ms(consume), "cpu": usage}


def run(res: Resources, bootstrap: str, flow: FlowSettings) -> dict[str, Any]:
    names = ("intake", "repair", "dispatch") if flow.with_dispatch else ("intake", "repair")
    urls = {n: res.database(f"bondline_bench_flow_{n}") for n in names}
    procs = {n: res.service(n, bootstrap, urls[n]) for n in names}
    print(f"  {', '.join(names)} up; {flow.rate_per_s:g} units/s, {flow.warmup_s:g}s warm-up + "
          f"{flow.duration_s:g}s measured", flush=True)
    cpu = CpuWindow({n: p.pid for n, p in procs.items()})
    result = asyncio.run(_drive_and_collect(procs["intake"].port, urls, flow, cpu))
    for p in procs.values():
        p.stop()
    p = result["propagation"]
    print(f"  propagation p50 {p['p50_ms']} ms  p99 {p['p99_ms']} ms  max {p['max_ms']} ms  "
          f"({result['work_orders']}/{result['units_released']} units, {result['driver_errors']} errors)", flush=True)
    return result
