"""The dispatch desk on real volume: every page and data endpoint, p95 latency with N units (target < 300 ms).

Seeds a fresh PostgreSQL database (tests/bench/dashboard_seed.py), starts dispatch as a process (API only: no
broker needed), signs in like a browser (session cookie) and requests each endpoint in turn, one client at a time,
after a warm-up. Unit pages and owner filters pick a different unit / owner on every request.
"""
from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from services.kit.auth import issue_token
from services.kit.migrations import upgrade
from services.kit.settings import DEV_JWT_SECRET
from tests.bench import dashboard_seed
from tests.bench.procs import ROOT, Resources
from tests.bench.stats import percentile, summary_ms

TARGET_P95_MS = 300.0
MUST_HAVE = {"dashboard page": b"data-kpi", "unit page": b'id="timeline"', "units table, first page": b"/desk/units/u-",
             "CSV export, one owner (~2,000 rows)": b"item_id,kind"}
MIGRATIONS = ROOT / "services" / "dispatch" / "migrations"


@dataclass
class DeskSettings:
    units: int = 1_000_000
    requests: int = 200
    warmup: int = 10


def endpoints(units: int) -> dict[str, Callable[[random.Random], str]]:
    unit = lambda r: f"u-{r.randint(1, units):07d}"  # noqa: E731
    owner = lambda r: f"owner-{r.randrange(500)}"  # noqa: E731
    return {
        "dashboard page": lambda r: "/desk",
        "figures.json (live poll)": lambda r: "/desk/data/figures.json",
        "units table, first page": lambda r: "/desk/units",
        "units table, page 100": lambda r: "/desk/units?page=100",
        "units table, dispatch stage by deadline": lambda r: "/desk/units?stage=dispatch&sort=due",
        "units table, one owner, newest first": lambda r: f"/desk/units?owner={owner(r)}&sort=since&desc=true",
        "due-to-ship fragment (poll)": lambda r: "/desk/fragments/table?stage=dispatch&kind=unit&state="
                                                  "awaiting_dispatch,allocated,destination_decided,exit_declared,"
                                                  "customs_cleared"
                                                  "&size=10&title=due_to_ship",
        "days-in-bond fragment (poll)": lambda r: "/desk/fragments/table?due=bond&sort=due&size=10&title=days_in_bond",
        "disposal fragment (poll)": lambda r: "/desk/fragments/table?due=disposal&sort=due&size=10&title=disposal",
        "unit page": lambda r: f"/desk/units/{unit(r)}",
        "CSV export, one owner (~2,000 rows)": lambda r: f"/desk/units.csv?owner={owner(r)}",
    }


async def _sign_in(client: httpx.AsyncClient, token: str) -> None:
    """The desk's development sign-in: the form's CSRF value, then the token; the session cookie stays in client."""
    form = await client.get("/desk/login")
    found = re.search(r'name="login_csrf" value="([^"]+)"', form.text)
    assert found, f"no sign-in form at /desk/login: {form.status_code}"
    r = await client.post("/desk/login", data={"token": token, "next": "/desk", "login_csrf": found.group(1)})
    assert r.status_code == 303 and "desk_session" in client.cookies, f"desk sign-in refused: {r.status_code}"


async def _measure(base: str, token: str, s: DeskSettings, units: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    rng = random.Random(7)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        await _sign_in(client, token)
        for name, path in endpoints(units).items():
            timings, sizes, errors = [], [], 0
            for n in range(s.warmup + s.requests):
                t0 = time.perf_counter()
                r = await client.get(path(rng))
                body = r.content
                elapsed = (time.perf_counter() - t0) * 1000
                if r.status_code != 200 or MUST_HAVE.get(name, b"") not in body:
                    errors += 1
                    if errors == 1:
                        print(f"bench: desk {name}: {r.status_code} {body[:300]!r}", flush=True)
                if n >= s.warmup:
                    timings.append(elapsed)
                    sizes.append(len(body))
            p95 = percentile(timings, 95)
            out[name] = summary_ms(timings) | {"p95_ms": round(p95 or 0, 2), "errors": errors,
                                                "mean_bytes": int(sum(sizes) / max(1, len(sizes))),
                                                "met": errors == 0 and p95 is not None and p95 < TARGET_P95_MS}
            print(f"bench: desk {name}: p95 {out[name]['p95_ms']} ms", flush=True)
    return out


def run(res: Resources, s: DeskSettings) -> dict[str, Any]:
    url = res.database("bondline_bench_desk")
    upgrade(MIGRATIONS, url)
    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    seeded = asyncio.run(dashboard_seed.seed(dsn, s.units))
    env = {"DISPATCH_RUN_RELAY": "false", "DISPATCH_RUN_CONSUMER": "false", "DISPATCH_LOG_LEVEL": "WARNING"}
    proc = res.service("dispatch", "127.0.0.1:1", url, env, ready_path="/healthz")
    token = issue_token(DEV_JWT_SECRET, "bench", "dispatcher")
    results = asyncio.run(_measure(proc.url, token, s, s.units))
    worst = max(r["p95_ms"] for r in results.values())
    return {"units": s.units, "requests_per_endpoint": s.requests, "warmup": s.warmup, "seed_s": seeded,
            "target_p95_ms": TARGET_P95_MS, "worst_p95_ms": worst,
            "all_met": all(r["met"] for r in results.values()), "endpoints": results, "warnings": []}


def markdown(d: dict[str, Any]) -> list[str]:
    lines = [f"## Dispatch desk: {d['units']:,} units, p95 per page and data endpoint (target < "
             f"{d['target_p95_ms']:g} ms)", "",
             "| endpoint | p50 ms | p95 ms | p99 ms | bytes | target |", "| --- | --- | --- | --- | --- | --- |"]
    for name, r in d["endpoints"].items():
        lines.append(f"| {name} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['mean_bytes']:,} | "
                     f"{'met' if r['met'] else '**missed**'} |")
    lines += ["", f"{d['requests_per_endpoint']} requests each after {d['warmup']} warm-up, one client, dispatch API "
              f"process on PostgreSQL. Seeding took {sum(d['seed_s'].values()):.0f} s ({_pairs(d['seed_s'])}).", ""]
    return lines


def _pairs(d: dict[str, float]) -> str:
    return ", ".join(f"{k} {v}" for k, v in d.items())
