"""Closed-loop load generator, run as its own process: N keep-alive connections POSTing a JSON body.

python -m tests.bench.loadgen --port P --path /v1/x --body '{"serial": "__SERIAL__"}' [--auth 'Bearer ...']
    [--connections 32 --warmup 3 --duration 12]
Every request gets its own value in place of __SERIAL__. Prints one JSON object: requests/s and latency
percentiles over the measured window only (the warm-up runs at full load and is discarded).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from tests.bench.http import Connection, HttpError
from tests.bench.stats import summary_ms

MARKER = b"__SERIAL__"


@dataclass
class Window:
    measure_from: float
    end: float
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    first_error: str | None = None


async def _worker(conn: Connection, path: str, template: bytes, prefix: bytes, w: Window) -> None:
    i = 0
    while True:
        t0 = time.perf_counter()
        if t0 >= w.end:
            return
        i += 1
        try:
            status, data = await conn.request("POST", path, template.replace(MARKER, b"%s-%d" % (prefix, i)))
        except HttpError as exc:
            status, data = 0, str(exc).encode()
        t1 = time.perf_counter()
        if status // 100 != 2 and w.first_error is None:
            w.first_error = f"{status}: {data[:300].decode(errors='replace')}"
        if w.measure_from <= t1 <= w.end:  # throughput: completions inside the window
            w.statuses[str(status)] += 1
            if t0 >= w.measure_from:  # latency: requests wholly inside the window
                w.latencies.append((t1 - t0) * 1000)


async def run(host: str, port: int, path: str, template: bytes, connections: int, warmup: float,
              duration: float, headers: dict[str, str]) -> dict[str, object]:
    run_id = uuid.uuid4().hex[:8]
    start = time.perf_counter()
    w = Window(start + warmup, start + warmup + duration)
    conns = [Connection(host, port, headers) for _ in range(connections)]
    tasks = [asyncio.create_task(_worker(c, path, template, f"B{run_id}-{n}".encode(), w))
             for n, c in enumerate(conns)]
    await asyncio.sleep(warmup)
    cpu0 = _cpu()
    await asyncio.gather(*tasks)
    cpu1 = _cpu()
    for c in conns:
        c.close()
    ok = sum(n for s, n in w.statuses.items() if s.startswith("2"))
    return {"path": path, "connections": connections, "warmup_s": warmup, "duration_s": duration,
            "requests": sum(w.statuses.values()), "ok": ok, "statuses": dict(w.statuses),
            "rps": round(ok / duration, 1), "first_error": w.first_error,
            "loadgen_cpu_pct": round(100 * (cpu1 - cpu0) / duration, 1), **summary_ms(w.latencies)}


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--path", required=True)
    p.add_argument("--body", required=True, help="JSON request body; __SERIAL__ is made unique per request")
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--warmup", type=float, default=3)
    p.add_argument("--duration", type=float, default=12)
    p.add_argument("--auth", help="Authorization header value")
    a = p.parse_args()
    headers = {"Authorization": a.auth} if a.auth else {}
    coro = run(a.host, a.port, a.path, a.body.encode(), a.connections, a.warmup, a.duration, headers)
    try:
        import uvloop
    except ImportError:
        print(json.dumps(asyncio.run(coro)))
    else:
        print(json.dumps(uvloop.run(coro)))


if __name__ == "__main__":
    main()
