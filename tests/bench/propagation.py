"""Part 2: intake's release commit -> repair's work order, at a steady rate, read back from both databases.

Units are first brought to `received` in bulk (not measured); then one is released every 1/rate seconds
and each release's event has to travel intake outbox -> relay -> broker -> repair consumer -> work order.
"""
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
from tests.bench import intake_api
from tests.bench.http import Connection
from tests.bench.procs import Resources
from tests.bench.scrape import metrics
from tests.bench.stats import CpuWindow, summary_ms
from tests.support import pg

RELEASED = REGISTRY.type_of(UnitReleasedToRepair)


@dataclass(frozen=True)
class FlowSettings:
    rate_per_s: float = 50.0
    warmup_s: float = 3.0
    duration_s: float = 20.0
    with_dispatch: bool = True


class Releaser:
    """Open loop: one release every 1/rate seconds, whatever the latency (connections are added as needed)."""

    def __init__(self, port: int, unit_ids: list[str]) -> None:
        self.port, self.units, self.idle = port, list(reversed(unit_ids)), []  # type: ignore[var-annotated]
        self.errors: list[str] = []
        self.max_lag_ms = 0.0

    async def release(self, unit_id: str) -> None:
        conn: Connection = self.idle.pop() if self.idle else intake_api.connection(self.port)
        try:
            status, body = await conn.json("POST", intake_api.release_path(unit_id))
            if status != 200:
                self.errors.append(f"release {status}: {str(body)[:300]}")
        except Exception as exc:  # noqa: BLE001 - counted and reported, the run goes on
            conn.close()
            self.errors.append(repr(exc))
        finally:
            self.idle.append(conn)

    async def steady(self, rate: float, seconds: float) -> int:
        loop, tasks = asyncio.get_running_loop(), []
        start, n = loop.time(), min(int(rate * seconds), len(self.units))
        for i in range(n):
            delay = start + i / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self.max_lag_ms = max(self.max_lag_ms, -delay * 1000)
            tasks.append(asyncio.create_task(self.release(self.units.pop())))
        await asyncio.gather(*tasks)
        return n

    def close(self) -> None:
        for c in self.idle:
            c.close()


async def _wait_for(repair: asyncpg.Connection, unit_ids: list[str], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = await repair.fetchval("SELECT count(*) FROM work_orders WHERE unit_id = ANY($1::text[])", unit_ids)
        if n >= len(unit_ids):
            return True
        await asyncio.sleep(0.2)
    return False


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _settle(urls: dict[str, str], timeout: float = 180) -> float:
    """Wait until the consumers have caught up with the staging traffic (their inbox stops growing for 2 s).

    Staging sends thousands of events; a consumer still working through them during the measured window would
    be measured as load that a steady 50 units/s does not cause. Returns the seconds waited.
    """
    conns = [await asyncpg.connect(_dsn(url)) for name, url in urls.items() if name != "intake"]
    started, last, still = time.monotonic(), None, 0
    try:
        while time.monotonic() - started < timeout and still < 2:
            counts = [await c.fetchval("SELECT count(*) FROM inbox") for c in conns]
            still = still + 1 if counts == last else 0
            last = counts
            await asyncio.sleep(1.0)
    finally:
        for c in conns:
            await c.close()
    return round(time.monotonic() - started, 1)


async def _transactions(admin: asyncpg.Connection, urls: dict[str, str]) -> dict[str, int]:
    """Committed + rolled back transactions so far per service database (PostgreSQL's own statistics)."""
    names = {url.rsplit("/", 1)[1]: service for service, url in urls.items()}
    rows = await admin.fetch("SELECT datname, xact_commit + xact_rollback AS n FROM pg_stat_database "
                             "WHERE datname = ANY($1::text[])", list(names))
    return {names[r["datname"]]: r["n"] for r in rows}


SQL_RELEASED = ("SELECT u.id, u.released_at, o.published_at, o.event_id FROM units u JOIN outbox o "
                "ON o.key = u.id AND o.type = $2 WHERE u.released_at >= $1")


async def _drive_and_collect(port: int, urls: dict[str, str], flow: FlowSettings, cpu: CpuWindow) -> dict[str, Any]:
    t0 = time.monotonic()
    staged = await intake_api.stage_received(port, 1 + int(flow.rate_per_s * (flow.warmup_s + flow.duration_s)),
                                             f"FLOW-{uuid.uuid4().hex[:8]}")
    staging_s = round(time.monotonic() - t0, 1)
    print(f"  {len(staged)} units staged to `received` in {staging_s}s", flush=True)
    releaser = Releaser(port, staged)
    intake, repair = await asyncpg.connect(_dsn(urls["intake"])), await asyncpg.connect(_dsn(urls["repair"]))
    admin = await asyncpg.connect(pg.PG_ADMIN_URL)
    try:
        await releaser.release(first := releaser.units.pop())
        if not await _wait_for(repair, [first], 60):
            raise RuntimeError(f"repair never opened a work order for the first unit: {releaser.errors[:3]}")
        settle_s = await _settle(urls)
        print(f"  consumers caught up with staging in {settle_s}s", flush=True)
        await releaser.steady(flow.rate_per_s, flow.warmup_s)
        await asyncio.sleep(1.2)  # let PostgreSQL flush its statistics (at most once a second)
        xacts0 = await _transactions(admin, urls)
        measure_from = datetime.now(timezone.utc)
        cpu.start()
        sent = await releaser.steady(flow.rate_per_s, flow.duration_s)
        usage = cpu.stop()
        ids = [r["id"] for r in await intake.fetch(SQL_RELEASED, measure_from, RELEASED)]
        drained = await _wait_for(repair, ids, 30)
        rows = await intake.fetch(SQL_RELEASED, measure_from, RELEASED)  # published_at filled in since
        opened = {r["unit_id"]: r["opened_at"] for r in await repair.fetch(
            "SELECT unit_id, opened_at FROM work_orders WHERE unit_id = ANY($1::text[])", ids)}
        claimed = {r["event_id"]: r["processed_at"]
                   for r in await repair.fetch("SELECT event_id, processed_at FROM inbox")}
        await asyncio.sleep(1.2)
        xacts1 = await _transactions(admin, urls)
    finally:
        releaser.close()
        await admin.close()
        await intake.close()
        await repair.close()
    ms = lambda a, b: (a - b).total_seconds() * 1000  # noqa: E731
    e2e = [ms(opened[r["id"]], r["released_at"]) for r in rows if r["id"] in opened]
    relay = [ms(r["published_at"], r["released_at"]) for r in rows if r["published_at"]]
    consume = [ms(claimed[r["event_id"]], r["published_at"]) for r in rows
               if r["published_at"] and r["event_id"] in claimed]
    return {"units_staged": len(staged), "staging_s": staging_s, "settle_s": settle_s, "releases_sent": sent,
            "units_released": len(rows), "work_orders": len(e2e), "missing_work_orders": len(rows) - len(e2e),
            "drained": drained, "release_errors": len(releaser.errors), "release_error_samples": releaser.errors[:5],
            "driver_max_schedule_lag_ms": round(releaser.max_lag_ms, 1),
            "propagation": summary_ms(e2e), "stage_release_to_published": summary_ms(relay),
            "stage_published_to_inbox_claim": summary_ms(consume), "cpu": usage,
            "db_transactions_per_release": {n: round((xacts1[n] - xacts0.get(n, 0)) / max(1, sent), 2)
                                            for n in xacts1},
            "cpu_ms_per_release": {k[:-8]: round(10 * v / flow.rate_per_s, 2) for k, v in usage.items()
                                   if k[:-8] in urls}}


def run(res: Resources, bootstrap: str, flow: FlowSettings) -> dict[str, Any]:
    names = ("intake", "repair", "dispatch") if flow.with_dispatch else ("intake", "repair")
    urls = {n: res.database(f"bondline_bench_flow_{n}") for n in names}
    procs, warnings = {}, []
    for n in names:
        try:
            procs[n] = res.service(n, bootstrap, urls[n], intake_api.NO_INSPECTIONS if n == "intake" else None)
        except (RuntimeError, TimeoutError) as exc:
            if n != "dispatch":
                raise
            last = [line for line in str(exc).splitlines() if line.strip()][-1:] or [""]
            warnings.append(f"dispatch did not start, measured without it: {last[0][:300]}")
            print(f"  {warnings[-1]}", flush=True)
    print(f"  {', '.join(procs)} up; {flow.rate_per_s:g} releases/s, {flow.warmup_s:g}s warm-up + "
          f"{flow.duration_s:g}s measured", flush=True)
    cpu = CpuWindow({n: p.pid for n, p in procs.items()})
    result = asyncio.run(_drive_and_collect(procs["intake"].port, {n: urls[n] for n in procs}, flow, cpu))
    result["services"], result["warnings"] = list(procs), warnings
    result["service_metrics"] = {n: metrics(p.url) for n, p in procs.items()}  # includes staging traffic
    for p in procs.values():
        p.stop()
    p = result["propagation"]
    print(f"  propagation p50 {p['p50_ms']} ms  p99 {p['p99_ms']} ms  max {p['max_ms']} ms  "
          f"({result['work_orders']}/{result['units_released']} units, {result['release_errors']} errors)", flush=True)
    print(f"  cpu % of a core: {result['cpu']}; CPU ms per release: {result['cpu_ms_per_release']}; "
          f"DB transactions per release: {result['db_transactions_per_release']}", flush=True)
    return result
