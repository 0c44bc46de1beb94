"""Closed-loop load generator, run as its own process: N keep-alive connections POSTing units.

python -m tests.bench.loadgen --port P --connections 32 --warmup 3 --duration 12 [--auth 'Bearer ...']
prints one JSON object: requests/s and latency percentiles over the measured window only.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time
import uuid
from collections import Counter

from tests.bench.http import Connection, HttpError, unit_body
from tests.bench.stats import summary_ms


async def _worker(conn: Connection, path: str, prefix: str, clock: dict[str, float],
                  latencies: list[float], statuses: Counter[str]) -> None:
    i = 0
    while True:
        t0 = time.perf_counter()
        if t0 >= clock["end"]:
            return
        i += 1
        body = json.dumps(unit_body(f"{prefix}-{i}")).encode()
        try:
            status, _ = await conn.request("POST", path, body)
        except HttpError:
            status = 0
        t1 = time.perf_counter()
        if clock["measure_from"] <= t1 <= clock["end"]:  # throughput: completions inside the window
            statuses[str(status)] += 1
            if t0 >= clock["measure_from"]:  # latency: requests wholly inside the window
                latencies.append((t1 - t0) * 1000)


async def run(host: str, port: int, path: str, connections: int, warmup: float, duration: float,
              headers: dict[str, str]) -> dict[str, object]:
    run_id = uuid.uuid4().hex[:8]
    start = time.perf_counter()
    clock = {"measure_from": start + warmup, "end": start + warmup + duration}
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    conns = [Connection(host, port, headers) for _ in range(connections)]
    tasks = [asyncio.create_task(_worker(c, path, f"BENCH-{run_id}-{n}", clock, latencies, statuses))
             for n, c in enumerate(conns)]
    await asyncio.sleep(warmup)
    cpu0 = _cpu()
    await asyncio.gather(*tasks)
    cpu1 = _cpu()
    for c in conns:
        c.close()
    ok = sum(n for s, n in statuses.items() if s.startswith("2"))
    return {"connections": connections, "warmup_s": warmup, "duration_s": duration,
            "requests": sum(statuses.values()), "ok": ok, "statuses": dict(statuses),
            "rps": round(ok / duration, 1), "loadgen_cpu_pct": round(100 * (cpu1 - cpu0) / duration, 1),
            **summary_ms(latencies)}


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--path", default="/v1/units")
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--warmup", type=float, default=3)
    p.add_argument("--duration", type=float, default=12)
    p.add_argument("--auth", help="Authorization header value")
    a = p.parse_args()
    headers = {"Authorization": a.auth} if a.auth else {}
    coro = run(a.host, a.port, a.path, a.connections, a.warmup, a.duration, headers)
    try:
        import uvloop
        result = uvloop.run(coro)
    except ImportError:
        result = asyncio.run(coro)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
