"""Percentiles and CPU sampling shared by the benchmark parts."""
from __future__ import annotations

import math
import os
from pathlib import Path


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(values_ms: list[float]) -> dict[str, float | int | None]:
    r = lambda v: None if v is None else round(v, 2)  # noqa: E731
    return {"count": len(values_ms), "p50_ms": r(percentile(values_ms, 50)),
            "p90_ms": r(percentile(values_ms, 90)), "p99_ms": r(percentile(values_ms, 99)),
            "max_ms": r(max(values_ms) if values_ms else None),
            "mean_ms": r(sum(values_ms) / len(values_ms) if values_ms else None)}


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies over all CPUs since boot; diff two samples for utilisation."""
    parts = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts) - idle, sum(parts)


class CpuWindow:
    """CPU used by some processes and by the whole machine between start() and stop()."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids

    def start(self) -> None:
        self._t0 = {n: _safe_cpu(p) for n, p in self.pids.items()}
        self._m0 = machine_busy()
        self._w0 = os.times().elapsed

    def stop(self) -> dict[str, float]:
        wall = os.times().elapsed - self._w0
        out = {f"{n}_cpu_pct": round(100 * (_safe_cpu(p) - self._t0[n]) / wall, 1) for n, p in self.pids.items()}
        busy, total = machine_busy()
        out["machine_cpu_pct"] = round(100 * (busy - self._m0[0]) / max(1, total - self._m0[1]), 1)
        return out


def _safe_cpu(pid: int) -> float:
    try:
        return process_cpu_s(pid)
    except (OSError, IndexError, ValueError):
        return 0.0
