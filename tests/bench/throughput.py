"""Part 1: intake's unit-creating write against a bare FastAPI + SQLAlchemy baseline, both on PostgreSQL."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

from tests.bench import intake_api
from tests.bench.procs import ROOT, Proc, Resources, base_env
from tests.bench.stats import CpuWindow


@dataclass(frozen=True)
class LoadSettings:
    connections: int = 32
    warmup_s: float = 2.0
    duration_s: float = 6.0
    rounds: int = 11  # intake and baseline measured alternately, this many times each


def measure(proc: Proc, load: LoadSettings, auth: str | None = None) -> dict[str, Any]:
    argv = [sys.executable, "-m", "tests.bench.loadgen", "--port", str(proc.port),
            "--path", intake_api.WRITE_PATH, "--body", json.dumps(intake_api.write_body()),
            "--connections", str(load.connections), "--warmup", str(load.warmup_s),
            "--duration", str(load.duration_s)] + (["--auth", auth] if auth else [])
    gen = subprocess.Popen(argv, cwd=ROOT, env=base_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        time.sleep(load.warmup_s + 0.5)  # loadgen start-up (~0.5 s) + warm-up
        cpu = CpuWindow({"server": proc.pid, "loadgen": gen.pid})
        cpu.start()
        time.sleep(max(0.5, load.duration_s - 1.0))
        usage = cpu.stop()
        out, err = gen.communicate(timeout=load.duration_s + 60)
    finally:
        if gen.poll() is None:
            gen.kill()
            gen.wait()
    if gen.returncode != 0:
        raise RuntimeError(f"load generator failed ({gen.returncode}): {err.decode(errors='replace')}")
    result = json.loads(out)
    result["cpu"] = usage  # sampled inside the measured window
    if result["rps"]:  # robust on a shared machine, unlike req/s: what one request costs the server
        result["server_cpu_ms_per_request"] = round(10 * usage["server_cpu_pct"] / result["rps"], 2)
    return result


def run(res: Resources, bootstrap: str, load: LoadSettings) -> dict[str, Any]:
    """Both servers stay up; each round measures one then the other (the order alternates), so that slow
    drifts on a shared machine hit both alike. The headline is the round with the median ratio."""
    intake = res.service("intake", bootstrap, res.database("bondline_bench_intake"))
    baseline = res.baseline(res.database("bondline_bench_baseline"))
    print(f"  intake up on :{intake.port}, baseline on :{baseline.port}; {load.connections} connections, "
          f"{load.warmup_s:g}s warm-up + {load.duration_s:g}s measured, {load.rounds} alternating rounds", flush=True)
    asyncio.run(intake_api.ensure_owner(intake.port))
    rounds = []
    for n in range(load.rounds):
        order = ["intake", "baseline"] if n % 2 == 0 else ["baseline", "intake"]
        r: dict[str, Any] = {"order": order}
        for name in order:
            r[name] = (measure(intake, load, intake_api.CLERK["Authorization"]) if name == "intake"
                       else measure(baseline, load))
            _show(f"{name} #{n + 1}", r[name])
        r["intake_ratio"] = round(r["intake"]["rps"] / r["baseline"]["rps"], 3) if r["baseline"]["rps"] else 0.0
        print(f"  round {n + 1}: ratio {r['intake_ratio']}", flush=True)
        rounds.append(r)
    intake.stop()
    baseline.stop()
    median = sorted(rounds, key=lambda r: r["intake_ratio"])[(len(rounds) - 1) // 2]
    return {"intake": median["intake"], "baseline": median["baseline"], "intake_ratio": median["intake_ratio"],
            "rounds": rounds, "ratios": [r["intake_ratio"] for r in rounds],
            # every round together: all intake requests over all baseline requests (the same measured time)
            "pooled_ratio": round(sum(r["intake"]["rps"] for r in rounds)
                                  / max(sum(r["baseline"]["rps"] for r in rounds), 1e-9), 3),
            "cpu_ms_per_request": {"intake": _median([r["intake"].get("server_cpu_ms_per_request") for r in rounds]),
                                   "baseline": _median([r["baseline"].get("server_cpu_ms_per_request")
                                                        for r in rounds])}}


def _median(values: list[float | None]) -> float | None:
    xs = sorted(v for v in values if v is not None)
    return xs[(len(xs) - 1) // 2] if xs else None


def _show(name: str, r: dict[str, Any]) -> None:
    print(f"  {name:11s} {r['rps']:8.1f} req/s  p50 {r['p50_ms']} ms  p99 {r['p99_ms']} ms  "
          f"{r.get('server_cpu_ms_per_request')} CPU ms/request  statuses {r['statuses']}", flush=True)
    print(f"  {name:11s} cpu % of a core: {r['cpu']}", flush=True)
    if r.get("first_error"):
        print(f"  {name:11s} first error: {r['first_error']}", flush=True)
