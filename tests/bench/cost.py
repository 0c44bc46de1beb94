"""Part 6: where the CPU of one unit goes, measured in one process (``--only cost``).

The four services' real code (FastAPI apps through httpx's ASGI transport, their relays and consumers, each on
a fresh PostgreSQL database of its own) is driven step by step on one event loop, with the in-memory broker in
place of Kafka: releases at intake in waves, every relay and consumer run until nothing moves, then repair's
shortest legal path (diagnosis started, diagnosis, closed beyond repair) for the wave, and again until dispatch
has them as candidates. Nothing runs concurrently, so the CPU time and the SQL statements of each step belong
to the service that took it: CPU ms, statements and transactions per unit, per service and per part (HTTP,
relay, each consumer), with cProfile's heaviest functions per service. Other load on the machine barely moves
these figures (CPU time, not wall time), unlike the end-to-end part; PostgreSQL's and the broker's own CPU
are not in them.
"""
from __future__ import annotations

import asyncio
import contextlib
import cProfile
import importlib
import io
import json
import os
import pstats
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event

from services.kit.runtime import Runtime
from shared.messaging.fakes import FakeBroker
from shared.messaging.relay import Relay, RelayOptions
from tests.bench import intake_api
from tests.support import pg
from tests.support.intake import declaration_body
from tests.support.stack import NAMES, token

TECH = token("technician")
PROFILES = Path(__file__).resolve().parents[2] / "var" / "bench"
DIAGNOSIS = {"failure_codes": ["RF-OUTPUT"], "findings": "driver stage burnt"}
CLOSE = {"outcome": "beyond_repair", "note": "amplifier cracked"}


@dataclass(frozen=True)
class CostSettings:
    units: int = 300
    wave: int = 10          # units released together: the consumers' batches are about this large
    profile: bool = False  # cProfile per service (var/bench/cost-<service>.prof); it slows everything down
    top: int = 25


@dataclass
class Meter:
    cpu_s: Counter[str] = field(default_factory=Counter)
    statements: Counter[str] = field(default_factory=Counter)
    commits: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)
    on: bool = False


SHOW_SQL = {k: int(v) for k, v in (x.split("=") for x in os.environ.get("COST_SHOW_SQL", "").split(",") if x)}
_FRAMES: dict[str, Callable[[Any], Any]] = {}


class Service:
    def __init__(self, name: str, url: str, broker: FakeBroker, meter: Meter) -> None:
        os.environ[f"{name.upper()}_DATABASE_URL"] = url
        bootstrap = importlib.import_module(f"services.{name}.bootstrap")
        self.name, self.meter, self.broker = name, meter, broker
        self.rt = Runtime(bootstrap.define())
        self.rt.migrate()
        self.app = bootstrap.build_app(self.rt, run_relay=False, run_consumer=False)
        self.relay = Relay(self.rt.sessions, self.rt.d.outbox, broker.producer, self.rt.signal, self.rt.metrics,
                           RelayOptions(batch_size=500)) if self.rt.d.produces else None
        self.consumers: list[Any] = []
        self.profile = cProfile.Profile(time.process_time)  # CPU, not the waits for PostgreSQL
        self._part = "?"
        sync = self.rt.engine.sync_engine
        event.listen(sync, "before_cursor_execute", self._statement)
        event.listen(sync, "commit", self._commit)

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if self.meter.on:
            key = f"{self.name}.{self._part}"
            self.meter.statements[key] += 1
            if self.meter.statements[key] <= SHOW_SQL.get(key, 0):
                print(f"SQL {key}: {' '.join(statement.split())[:300]}")

    def _commit(self, *_: Any) -> None:
        if self.meter.on:
            self.meter.commits[f"{self.name}.{self._part}"] += 1

    async def start_consumers(self) -> None:
        own = self.rt.consumer()
        for c in [*([own] if own else []), *await self.rt.projection_consumers()]:
            group, topics = c.name, list(c.topics)
            c._make_consumer = lambda g=group, t=topics: self.broker.consumer(g, t)  # the fake broker
            c._prepare = None
            self.consumers.append(c)

    @contextlib.asynccontextmanager
    async def part(self, part: str, profile: bool) -> AsyncIterator[None]:
        self._part = part
        t0 = time.process_time()
        if profile and self.meter.on:
            self.profile.enable()
        try:
            yield
        finally:
            if profile and self.meter.on:
                self.profile.disable()
            if self.meter.on:
                self.meter.cpu_s[f"{self.name}.{part}"] += time.process_time() - t0
                self.meter.calls[f"{self.name}.{part}"] += 1

    async def call(self, method: str, path: str, body: Any, headers: dict[str, str], profile: bool) -> Any:
        async with self.part("http", profile):
            status, answer = await self.framed("http")(asgi_call(self.app, method, path, body, headers))
        if status >= 300:
            raise RuntimeError(f"{self.name} {method} {path}: {status} {answer[:300]!r}")
        return json.loads(answer)

    async def step(self, profile: bool) -> int:
        moved = 0
        if self.relay is not None:
            async with self.part("relay", profile):
                moved += await self.framed("relay")(self.relay.step())
        for c in self.consumers:
            async with self.part(f"consume[{c.name.removeprefix('bondline.')}]", profile):
                moved += await self.framed(c.name.removeprefix("bondline.").replace(".", "_"))(c.poll_once())
        return moved

    def framed(self, part: str) -> Callable[[Any], Any]:
        """An awaiting frame named ``at_<service>_<part>``, so a sampling profiler (py-spy) sees whose step it is."""
        name = f"at_{self.name}_{part}"
        if name not in _FRAMES:
            ns: dict[str, Any] = {}
            exec(f"async def {name}(aw):\n    return await aw\n", ns)
            _FRAMES[name] = ns[name]
        return _FRAMES[name]

    async def close(self) -> None:
        for c in self.consumers:
            await c._drop_consumer()
        await self.rt.dispose()


async def asgi_call(app: Any, method: str, path: str, body: Any, headers: dict[str, str]) -> tuple[int, bytes]:
    """One request straight into the ASGI app, as a server hands it over (no HTTP client in the figures)."""
    raw = b"" if body is None else json.dumps(body).encode()
    target, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": target, "raw_path": target.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]
             + [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80)}
    sent, out = False, {"status": 0, "body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()
        sent = True
        return {"type": "http.request", "body": raw, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return int(out["status"]), bytes(out["body"])


async def _drain(services: dict[str, Service], profile: bool) -> None:
    while True:
        moved = 0
        for s in services.values():
            moved += await s.step(profile)
        if not moved:
            return


async def _stage(services: dict[str, Service], count: int) -> list[tuple[str, str, str]]:
    intake = services["intake"]
    clerk, officer = intake_api.CLERK, intake_api.OFFICER
    await intake.call("POST", "/v1/owners", _owner(), clerk, False)
    units: list[tuple[str, str, str]] = []
    for start in range(0, count, 200):
        n = min(200, count - start)
        body = await intake.call("POST", intake_api.WRITE_PATH, intake_api.write_body(f"COST-{start}", n), clerk, False)
        batch = [(u["id"], u["serial_number"], u["part_number"]) for u in body["units"]]
        decl = await intake.call("POST", "/v1/declarations", declaration_body([b[0] for b in batch]), clerk, False)
        if decl["inspection"]["selected"]:
            await intake.call("POST", f"/v1/declarations/{decl['id']}/inspection",
                              {"method": "on_site", "passed": True, "seals": ["BENCH-1"]}, officer, False)
        for unit_id, serial, part in batch:
            await intake.call("POST", f"/v1/units/{unit_id}/receipt", {"serial_number": serial, "part_number": part},
                              clerk, False)
        units += batch
    await _drain(services, False)
    return units


def _owner() -> dict[str, Any]:
    from tests.support.intake import owner_body
    return owner_body(intake_api.OWNER, tier="advanced_certified")


async def _wave(services: dict[str, Service], unit_ids: list[str], profile: bool) -> None:
    intake, repair = services["intake"], services["repair"]
    for unit_id in unit_ids:
        await intake.call("POST", intake_api.release_path(unit_id), None, intake_api.CLERK, profile)
    await _drain(services, profile)
    orders = await repair.call("GET", f"/v1/work-orders?owner_id={intake_api.OWNER}&state=queued&limit=500", None,
                               TECH, profile)
    for wo in orders:
        for path, body in (("/diagnosis/start", None), ("/diagnosis", DIAGNOSIS), ("/complete", CLOSE)):
            await repair.call("POST", f"/v1/work-orders/{wo['id']}{path}", body, TECH, profile)
    await _drain(services, profile)


async def _measure(urls: dict[str, str], s: CostSettings) -> dict[str, Any]:
    broker, meter = FakeBroker(), Meter()
    env = dict(intake_api.NO_INSPECTIONS)
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    services: dict[str, Service] = {}
    try:
        for n in NAMES:
            services[n] = Service(n, urls[n], broker, meter)
        for svc in services.values():
            await svc.start_consumers()
        staged = [u[0] for u in await _stage(services, s.units)]
        meter.on = True
        t0 = time.monotonic()
        for start in range(0, len(staged), s.wave):
            await _wave(services, staged[start:start + s.wave], s.profile)
        wall = time.monotonic() - t0
        meter.on = False
        events = sum(len(v) for t, v in broker.topics.items() if not t.endswith("deadletter"))
        return _report(services, meter, len(staged), wall, events, s)
    finally:
        for svc in services.values():
            await svc.close()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _report(services: dict[str, Service], meter: Meter, units: int, wall: float, events: int,
            s: CostSettings) -> dict[str, Any]:
    per_unit = {k: round(v * 1000 / units, 3) for k, v in sorted(meter.cpu_s.items())}
    by_service: dict[str, dict[str, float]] = {}
    for n in services:
        keys = [k for k in meter.cpu_s if k.startswith(f"{n}.")]
        by_service[n] = {
            "cpu_ms": round(sum(meter.cpu_s[k] for k in keys) * 1000 / units, 3),
            "statements": round(sum(meter.statements[k] for k in meter.statements if k.startswith(f"{n}.")) / units, 2),
            "commits": round(sum(meter.commits[k] for k in meter.commits if k.startswith(f"{n}.")) / units, 2)}
    out: dict[str, Any] = {
        "settings": {"units": units, "wave": s.wave}, "wall_s": round(wall, 1), "events_total": events,
        "per_service": by_service, "cpu_ms_per_unit_by_part": per_unit,
        "statements_per_unit_by_part": {k: round(v / units, 2) for k, v in sorted(meter.statements.items())},
        "commits_per_unit_by_part": {k: round(v / units, 2) for k, v in sorted(meter.commits.items())},
        "total_cpu_ms_per_unit": round(sum(b["cpu_ms"] for b in by_service.values()), 3)}
    if s.profile:
        out["profiles"] = {n: _top(svc.profile, s.top) for n, svc in services.items()}
        for n, svc in services.items():
            svc.profile.dump_stats(str(PROFILES / f"cost-{n}.prof"))
    return out


def _top(profile: cProfile.Profile, top: int) -> list[str]:
    buf = io.StringIO()
    stats = pstats.Stats(profile, stream=buf)
    stats.sort_stats("tottime").print_stats(top)
    return [line for line in buf.getvalue().splitlines() if line.strip()][-top - 1:]


TARGET_CPU_MS = {"intake": 1.5, "repair": 1.5, "dispatch": 2.0, "partners": 1.5}  # issue 20, per unit


def markdown(r: dict[str, Any]) -> list[str]:
    st = r["settings"]
    lines = ["## Cost per unit, in one process (where the CPU goes)", "",
             f"{st['units']} units through every service's real code on PostgreSQL, released in waves of {st['wave']} "
             "(each wave drained through every relay and consumer, then repair's three calls for it, drained again); "
             "the in-memory broker instead of Kafka and the ASGI apps called directly, so neither the HTTP server nor "
             "the Kafka client is in the figures, nor PostgreSQL's own CPU. Statements and commits are exact; "
             "CPU ms move a little with the machine.", "",
             "| service | CPU ms per unit | target | statements per unit | commits per unit |",
             "| --- | --- | --- | --- | --- |"]
    for name, v in r["per_service"].items():
        target = TARGET_CPU_MS.get(name)
        met = "" if target is None else (" (met)" if v["cpu_ms"] <= target else " (**missed**)")
        lines.append(f"| {name} | {v['cpu_ms']} | {target}{met} | {v['statements']} | {v['commits']} |")
    lines += ["", "By part (CPU ms / statements per unit): " + "; ".join(
        f"{k} {v} / {r['statements_per_unit_by_part'].get(k, 0)}" for k, v in r["cpu_ms_per_unit_by_part"].items()),
        ""]
    return lines


def run(s: CostSettings, on_db: Callable[[str], str] = pg.create_database) -> dict[str, Any]:
    urls = {n: on_db(f"bondline_bench_cost_{n}") for n in NAMES}
    try:
        r = asyncio.run(_measure(urls, s))
    finally:
        for url in urls.values():
            pg.drop_database(url)
    ps = r["per_service"]
    print("  cost per unit (CPU ms / statements / commits): " + "; ".join(
        f"{n} {v['cpu_ms']} / {v['statements']} / {v['commits']}" for n, v in ps.items())
        + f"; total {r['total_cpu_ms_per_unit']} CPU ms", flush=True)
    return r
