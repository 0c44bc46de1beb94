"""Part 5: end-to-end throughput, intake's release -> dispatch candidate, with one and with two instances per service.

Per configuration: fresh PostgreSQL databases, every service as ``all`` processes (API + relay + consumer) on the
same broker, units brought to `received` in bulk (not measured) and the consumers left to catch up. Then a closed
loop keeps the pipeline full for a fixed time: releasers release units at intake (at most ``max_inflight`` units
released and not yet candidates), a lister sweeps repair's open work orders and completers take each one beyond
repair (diagnosis started, diagnosis, closed: the shortest legal path to a candidate). Requests go round-robin
over a service's instances. Measured: candidates per second at dispatch, each event hop's latency, consumer lag
sampled from /metrics, and the CPU each service's processes, PostgreSQL, the broker and the driver used.
"""
from __future__ import annotations

import asyncio
import math
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from tests.bench import intake_api
from tests.bench.http import Connection
from tests.bench.procs import Resources
from tests.bench.propagation import _dsn, _settle
from tests.bench.stats import CpuWindow, summary_ms
from tests.support import pg
from tests.support.scaled import Scaled
from tests.support.stack import NAMES, token

TECH = token("technician")
COMPLETED = "com.bondline.repair.work_order.completed.v1"
RELEASED = "com.bondline.intake.unit.released_to_repair.v1"
AWAITING = "com.bondline.dispatch.unit.awaiting_dispatch.v1"
DIAGNOSIS = {"failure_codes": ["RF-OUTPUT"], "findings": "driver stage burnt"}
CLOSE = {"outcome": "beyond_repair", "note": "amplifier cracked"}


@dataclass(frozen=True)
class EndToEndSettings:
    warmup_s: float = 5.0
    duration_s: float = 30.0
    instances: tuple[int, ...] = (1, 2)
    units: int = 1500           # staged per configuration; the loop stops early (and says so) if they run out
    max_inflight: int = 60      # released but not yet a candidate (Little: latency ~ inflight / units per s)
    releasers: int = 4
    completers: int = 8
    lag_every_s: float = 3.0


class Pipeline:
    def __init__(self, scaled: Scaled, owner: str, unit_ids: list[str], dispatch: asyncpg.Connection,
                 s: EndToEndSettings) -> None:
        self.s, self.owner, self.dispatch = s, owner, dispatch
        self.intake_ports = [st.ports["intake"] for st in scaled.stacks]
        self.repair_ports = [st.ports["repair"] for st in scaled.stacks]
        self.metric_urls = {n: [st.url(n) for st in scaled.stacks] for n in NAMES}
        self.units = list(reversed(unit_ids))
        self.released = self.candidates = 0
        self.errors: list[str] = []
        self.lag: list[dict[str, Any]] = []
        self.running = True
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.taken: set[str] = set()
        self.ran_out_at: float | None = None

    def _note(self, what: str) -> None:
        if len(self.errors) < 1000:
            self.errors.append(what[:300])

    async def releaser(self, k: int) -> None:
        conn = intake_api.connection(self.intake_ports[k % len(self.intake_ports)])
        try:
            while self.running:
                if not self.units:
                    self.ran_out_at = self.ran_out_at or time.monotonic()
                    return
                if self.released - self.candidates >= self.s.max_inflight:
                    await asyncio.sleep(0.02)
                    continue
                unit_id = self.units.pop()
                self.released += 1
                try:
                    status, body = await conn.json("POST", intake_api.release_path(unit_id))
                    if status != 200:
                        self._note(f"release {status}: {body}")
                except Exception as exc:  # noqa: BLE001 - counted and reported, the run goes on
                    conn.close()
                    self._note(f"release: {exc!r}")
        finally:
            conn.close()

    async def lister(self) -> None:
        conns = [Connection("127.0.0.1", p, TECH) for p in self.repair_ports]
        n = 0
        try:
            while self.running:
                n += 1
                conn = conns[n % len(conns)]
                try:
                    status, body = await conn.json(
                        "GET", f"/v1/work-orders?owner_id={self.owner}&state=queued&state=diagnosing&limit=500")
                    if status == 200:
                        for wo in body:
                            if wo["id"] not in self.taken:
                                self.taken.add(wo["id"])
                                self.queue.put_nowait(wo)
                    else:
                        self._note(f"list {status}: {body}")
                except Exception as exc:  # noqa: BLE001
                    conn.close()
                    self._note(f"list: {exc!r}")
                await asyncio.sleep(0.1)
        finally:
            for c in conns:
                c.close()

    async def completer(self, k: int) -> None:
        conn = Connection("127.0.0.1", self.repair_ports[k % len(self.repair_ports)], TECH)
        try:
            while self.running:
                try:
                    wo = await asyncio.wait_for(self.queue.get(), 0.5)
                except TimeoutError:
                    continue
                steps = ([("/diagnosis/start", None)] if wo["state"] == "queued" else []) + [
                    ("/diagnosis", DIAGNOSIS), ("/complete", CLOSE)]
                for path, body in steps:
                    try:
                        status, answer = await conn.json("POST", f"/v1/work-orders/{wo['id']}{path}", body)
                    except Exception as exc:  # noqa: BLE001
                        conn.close()
                        status, answer = 0, repr(exc)
                    if status not in (200, 201):
                        self._note(f"{path} {status}: {answer}")
                        self.taken.discard(wo["id"])  # listed again, from the state repair reports
                        break
        finally:
            conn.close()

    async def counter(self) -> None:
        while self.running:
            self.candidates = await self.dispatch.fetchval(
                "SELECT count(*) FROM dispatch_items WHERE kind = 'unit' AND state = 'awaiting_dispatch'")
            await asyncio.sleep(0.25)

    async def lag_sampler(self, t0: float) -> None:
        async with httpx.AsyncClient(timeout=5) as client:
            while self.running:
                sample: dict[str, Any] = {"t_s": round(time.monotonic() - t0, 1), "inflight":
                                          self.released - self.candidates}
                for urls in self.metric_urls.values():
                    for url in urls:
                        try:
                            text = (await client.get(url + "/metrics")).text
                        except httpx.HTTPError:
                            continue
                        for line in text.splitlines():
                            if line.startswith("bondline_consumer_lag{"):
                                group = line.split('consumer="', 1)[1].split('"', 1)[0]
                                sample[group] = sample.get(group, 0) + int(float(line.rsplit(" ", 1)[1]))
                self.lag.append(sample)
                await asyncio.sleep(self.s.lag_every_s)


async def _collect_latencies(urls: dict[str, str], since: Any, until: Any) -> dict[str, Any]:
    """Hop latencies of the units that became candidates inside the measured window (database timestamps)."""
    c = {n: await asyncpg.connect(_dsn(urls[n])) for n in ("intake", "repair", "dispatch")}
    try:
        cand = {r["key"]: r["created_at"] for r in await c["dispatch"].fetch(
            "SELECT key, created_at FROM outbox WHERE type = $1 AND created_at >= $2 AND created_at < $3",
            AWAITING, since, until)}
        ids = list(cand)
        released = {r["id"]: r["released_at"] for r in await c["intake"].fetch(
            "SELECT id, released_at FROM units WHERE id = ANY($1::text[])", ids)}
        opened = {r["unit_id"]: r["opened_at"] for r in await c["repair"].fetch(
            "SELECT unit_id, opened_at FROM work_orders WHERE unit_id = ANY($1::text[])", ids)}
        relayed = [r["ms"] for r in await c["intake"].fetch(
            "SELECT extract(epoch FROM published_at - created_at) * 1000 AS ms FROM outbox WHERE type = $1 "
            "AND key = ANY($2::text[]) AND published_at IS NOT NULL", RELEASED, ids)]
        completed = {r["key"]: r["created_at"] for r in await c["repair"].fetch(
            "SELECT key, created_at FROM outbox WHERE type = $1 AND key = ANY($2::text[])", COMPLETED, ids)}
    finally:
        for conn in c.values():
            await conn.close()
    ms = lambda a, b: (a - b).total_seconds() * 1000  # noqa: E731
    return {"release_to_work_order": summary_ms([ms(opened[u], released[u]) for u in ids
                                                 if u in opened and released.get(u)]),
            "completed_to_candidate": summary_ms([ms(cand[u], completed[u]) for u in ids if u in completed]),
            "release_to_candidate": summary_ms([ms(cand[u], released[u]) for u in ids if released.get(u)]),
            "intake_outbox_created_to_published": summary_ms([float(x) for x in relayed])}


def _cpu_ms_per_unit(usage: dict[str, float], pids: dict[str, int], units_per_s: float) -> dict[str, float]:
    """CPU ms per unit per service (its processes summed), PostgreSQL, the broker and the driver."""
    if not units_per_s:
        return {}
    per: dict[str, float] = {}
    for key in pids:
        group = key.split("#", 1)[0]
        per[group] = per.get(group, 0.0) + usage.get(f"{key}_cpu_pct", 0.0)
    per["postgres"], per["broker"] = usage.get("postgres_cpu_pct", 0.0), usage.get("broker_cpu_pct", 0.0)
    out = {k: round(10 * v / units_per_s, 2) for k, v in per.items()}
    out["services_total"] = round(sum(out[n] for n in NAMES if n in out), 2)
    out["system_total"] = round(out["services_total"] + out["postgres"] + out["broker"], 2)
    return out


async def _measure(scaled: Scaled, urls: dict[str, str], s: EndToEndSettings, pids: dict[str, int],
                   tag: str) -> dict[str, Any]:
    port = scaled.stacks[0].ports["intake"]
    t0 = time.monotonic()
    staged = await intake_api.stage_received(port, s.units, f"E2E-{tag}")
    staging_s = round(time.monotonic() - t0, 1)
    settle_s = await _settle(urls)
    print(f"  {len(staged)} units staged to `received` in {staging_s}s; consumers caught up in {settle_s}s",
          flush=True)
    dispatch = await asyncpg.connect(_dsn(urls["dispatch"]))
    pipe = Pipeline(scaled, intake_api.OWNER, staged, dispatch, s)
    tasks = [asyncio.create_task(pipe.counter()), asyncio.create_task(pipe.lister())]
    tasks += [asyncio.create_task(pipe.releaser(k)) for k in range(s.releasers)]
    tasks += [asyncio.create_task(pipe.completer(k)) for k in range(s.completers)]
    start = time.monotonic()
    tasks.append(asyncio.create_task(pipe.lag_sampler(start)))
    cpu = CpuWindow(pids)
    try:
        await asyncio.sleep(s.warmup_s)
        c0, since = pipe.candidates, await dispatch.fetchval("SELECT now()")
        cpu.start()
        m0 = time.monotonic()
        await asyncio.sleep(s.duration_s)
        usage = cpu.stop()
        c1, until = pipe.candidates, await dispatch.fetchval("SELECT now()")
        window = time.monotonic() - m0
    finally:
        pipe.running = False
        await asyncio.gather(*tasks, return_exceptions=True)
        await dispatch.close()
    ups = round((c1 - c0) / window, 1)
    ran_out = pipe.ran_out_at is not None and pipe.ran_out_at < m0 + window
    result = {"instances": len(scaled.stacks), "units_staged": len(staged), "staging_s": staging_s,
              "settle_s": settle_s, "measured_s": round(window, 1), "candidates_in_window": c1 - c0,
              "units_per_s": ups, "released_total": pipe.released, "ran_out_of_units": ran_out,
              "driver_errors": len(pipe.errors), "driver_error_samples": pipe.errors[:5], "cpu": usage,
              "cpu_ms_per_unit": _cpu_ms_per_unit(usage, pids, ups), "lag": pipe.lag,
              "max_lag": _max_lag(pipe.lag), **await _collect_latencies(urls, since, until)}
    return result


def _max_lag(samples: list[dict[str, Any]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for sample in samples:
        for k, v in sample.items():
            if k.startswith("bondline."):
                out[k] = max(out.get(k, 0), v)
    return out


def run_one(res: Resources, bootstrap: str, instances: int, s: EndToEndSettings) -> dict[str, Any]:
    urls = {n: pg.create_database(f"bondline_bench_e2e_{n}") for n in NAMES}
    scaled = Scaled(Path(res.workdir) / f"endtoend-{instances}x", bootstrap, urls, instances=instances,
                    extra_env=dict(intake_api.NO_INSPECTIONS))
    try:
        scaled.start(timeout=120)
        pids = {f"{n}#{k}": p.pid for n in NAMES for k, p in enumerate(scaled.processes(n).values())}
        pids["driver"] = os.getpid()
        print(f"  {instances} instance(s) per service up; {s.warmup_s:g}s warm-up + {s.duration_s:g}s measured",
              flush=True)
        r = asyncio.run(_measure(scaled, urls, s, pids, uuid.uuid4().hex[:6]))
    finally:
        scaled.stop()
        for url in urls.values():
            pg.drop_database(url)
    e = r["release_to_candidate"]
    print(f"  {instances}x: {r['units_per_s']} units/s; release->candidate p50 {e['p50_ms']} ms p99 {e['p99_ms']} ms; "
          f"CPU ms/unit {r['cpu_ms_per_unit']}; max lag {r['max_lag']}; {r['driver_errors']} driver errors"
          + ("; RAN OUT OF STAGED UNITS" if r["ran_out_of_units"] else ""), flush=True)
    return r


def run(res: Resources, bootstrap: str, s: EndToEndSettings) -> dict[str, Any]:
    out: dict[str, Any] = {"settings": {k: getattr(s, k) for k in s.__dataclass_fields__}, "warnings": []}
    for n in s.instances:
        out[f"x{n}"] = r = run_one(res, bootstrap, n, s)
        if r["ran_out_of_units"]:
            out["warnings"].append(f"endtoend x{n}: ran out of staged units inside the window (raise --e2e-units)")
        if r["driver_errors"]:
            out["warnings"].append(f"endtoend x{n}: {r['driver_errors']} driver errors: "
                                   f"{r['driver_error_samples'][:2]}")
    if "x1" in out and "x2" in out and out["x1"]["units_per_s"]:
        out["scaling_2_vs_1"] = round(out["x2"]["units_per_s"] / out["x1"]["units_per_s"], 2)
    base: dict[str, Any] = out.get("x1") or out.get(f"x{s.instances[0]}") or {}
    total = base.get("cpu_ms_per_unit", {}).get("system_total")
    if total:
        out["capacity"] = {"cpu_ms_per_unit": total, "cores_for_1000_units_per_s": math.ceil(total),
                           "basis": f"x{base['instances']}: services + PostgreSQL + broker, driver excluded"}
    return out
