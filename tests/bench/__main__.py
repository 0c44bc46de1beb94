"""`make bench`: intake throughput vs a bare baseline, and event propagation latency, on PostgreSQL.

python -m tests.bench [--quick] [--only throughput|propagation|roundtrip|dashboard|endtoend|cost] [--no-dispatch]
                      [--units N] [--e2e-units N] [--e2e-instances 1,2]
Writes var/bench/report.json and var/bench/report.md. Reports targets; never fails on them.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tests.bench import cost, dashboard, endtoend, intake_api, propagation, report, roundtrip, throughput
from tests.bench.procs import ROOT, Resources
from tests.bench.stats import machine_busy
from tests.support import pg

OUT = ROOT / "var" / "bench"
QUIET_PCT, FOREIGN_PCT = 15.0, 10.0


def _on_signal(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m tests.bench")
    p.add_argument("--quick", action="store_true", help="short durations, for trying the harness")
    p.add_argument("--only", choices=["throughput", "propagation", "roundtrip", "dashboard", "endtoend", "cost"],
                   action="append")
    p.add_argument("--units", type=int, default=None, help="units in dispatch's database for the dashboard part "
                                                           "(default 1,000,000; 100,000 with --quick)")
    p.add_argument("--e2e-units", type=int, default=None, help="endtoend: units staged per configuration "
                                                               "(default 1,500; 400 with --quick)")
    p.add_argument("--e2e-instances", default="1,2", help="endtoend: instances per service to measure (default 1,2)")
    p.add_argument("--no-dispatch", action="store_true", help="propagation run without the dispatch service")
    p.add_argument("--rounds", type=int, default=None, metavar="N",
                   help="throughput: alternating intake/baseline rounds, the median ratio is reported "
                        "(default 11; 1 with --quick)")
    p.add_argument("--wait-quiet", type=float, default=60, metavar="S",
                   help="wait up to S seconds for other load on the machine to stop (default 60)")
    a = p.parse_args()
    parts = a.only or ["throughput", "propagation", "roundtrip", "dashboard", "endtoend", "cost"]
    scale = 0.25 if a.quick else 1.0
    # many short alternating rounds: a slow drift of the shared machine's speed hits both servers alike
    load = throughput.LoadSettings(warmup_s=2 * scale, duration_s=6 * scale,
                                   rounds=a.rounds or (1 if a.quick else 11))
    flow = propagation.FlowSettings(warmup_s=3 * scale, duration_s=20 * scale, with_dispatch=not a.no_dispatch)
    e2e = endtoend.EndToEndSettings(warmup_s=2 if a.quick else 5, duration_s=8 if a.quick else 30,
                                    units=a.e2e_units or (400 if a.quick else 1500),
                                    instances=tuple(int(x) for x in a.e2e_instances.split(",")))
    desk = dashboard.DeskSettings(units=a.units or (100_000 if a.quick else 1_000_000), requests=50 if a.quick else 200)
    signal.signal(signal.SIGTERM, _on_signal)
    reason = pg.available()
    if reason:
        print(f"bench: {reason}", file=sys.stderr)
        return 2
    background = _wait_quiet(a.wait_quiet)
    warnings = [] if background < QUIET_PCT else [
        f"the machine was already {background:.0f}% busy before the run (other processes): figures are pessimistic"]
    work = OUT / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    results: dict[str, Any] = {}
    durations: dict[str, float] = {}
    errors: list[str] = []
    t_all = time.monotonic()
    with Resources(work) as res:
        broker = res.broker()
        print(f"bench: broker on {broker.bootstrap}; logs in {work / 'log'}", flush=True)
        for part in parts:
            print(f"bench: {part}", flush=True)
            t0 = time.monotonic()
            try:
                if part == "throughput":
                    results[part] = throughput.run(res, broker.bootstrap, load)
                elif part == "propagation":
                    results[part] = propagation.run(res, broker.bootstrap, flow)
                elif part == "dashboard":
                    results[part] = dashboard.run(res, desk)
                elif part == "endtoend":
                    results[part] = endtoend.run(res, broker.bootstrap, e2e)
                elif part == "cost":
                    results[part] = cost.run(cost.CostSettings(units=100 if a.quick else 300))
                else:
                    results[part] = roundtrip.run(broker.bootstrap, flow.rate_per_s, 2 * scale, 10 * scale)
            except KeyboardInterrupt:
                raise
            except Exception as exc:  # noqa: BLE001 - one failed part is reported; the others still run
                traceback.print_exc()
                errors.append(f"{part}: {type(exc).__name__}: {exc}"[:2000])
            durations[part] = round(time.monotonic() - t0, 1)
    durations["total"] = round(time.monotonic() - t_all, 1)
    warnings += [w for r in results.values() for w in r.get("warnings", [])]
    warnings += [f"{where}: other processes used {pct:g}% of a core while measuring; figures are pessimistic"
                 for where, pct in _foreign(results) if pct > FOREIGN_PCT]
    headline = report.headline(results.get("throughput"), results.get("propagation"), results.get("roundtrip"),
                               results.get("endtoend"))
    doc = {"timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": _machine(),
           "results": headline, "targets": report.targets(headline), **headline,
           "settings": {"write_path": intake_api.WRITE_PATH, "connections": load.connections,
                        "throughput_warmup_s": load.warmup_s, "throughput_duration_s": load.duration_s,
                        "throughput_rounds": load.rounds, "flow_rate_per_s": flow.rate_per_s,
                        "flow_warmup_s": flow.warmup_s, "flow_duration_s": flow.duration_s,
                        "flow_with_dispatch": flow.with_dispatch, "quick": a.quick},
           "durations_s": durations, "errors": errors, "warnings": warnings,
           "background_cpu_pct_at_start": background, **results}
    doc |= {f"{k}_met": v for k, v in doc["targets"].items() if k.endswith("_met")}
    js, md = report.write(OUT, doc)
    print(md.read_text())
    print(f"bench: wrote {js.relative_to(ROOT)} and {md.relative_to(ROOT)}")
    return 1 if errors else 0


def _foreign(results: dict[str, Any]) -> list[tuple[str, float]]:
    out = []
    for part, r in results.items():
        for name, sub in [(part, r)] + [(f"{part}.{k}", v) for k, v in r.items() if isinstance(v, dict)]:
            if isinstance(sub.get("cpu"), dict) and "foreign_cpu_pct" in sub["cpu"]:
                out.append((name, sub["cpu"]["foreign_cpu_pct"]))
    return out


def _wait_quiet(max_wait_s: float) -> float:
    """Machine CPU busy % (all cores) over a short sample, waiting a while for it to drop below QUIET_PCT."""
    deadline = time.monotonic() + max_wait_s
    while True:
        b0, t0 = machine_busy()
        time.sleep(1.5)
        b1, t1 = machine_busy()
        busy = round(100 * (b1 - b0) / max(1, t1 - t0), 1)
        if busy < QUIET_PCT or time.monotonic() >= deadline:
            return busy
        print(f"bench: machine {busy:.0f}% busy with other work; waiting for it to calm down", flush=True)


def _machine() -> dict[str, Any]:
    info: dict[str, Any] = {"cpu_count": os.cpu_count(), "python": platform.python_version(),
                            "platform": platform.platform(), "machine": platform.machine()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        info["postgres"] = _pg_version()
    except Exception:  # noqa: BLE001 - informational only
        pass
    return info


def _pg_version() -> str:
    import asyncio

    import asyncpg

    async def q() -> str:
        conn = await asyncpg.connect(pg.PG_ADMIN_URL, timeout=5)
        try:
            return await conn.fetchval("SHOW server_version")
        finally:
            await conn.close()
    return asyncio.run(q())


if __name__ == "__main__":
    sys.exit(main())
