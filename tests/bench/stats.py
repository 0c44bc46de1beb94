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


def _all_processes() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, command name, CPU seconds) for every process visible in /proc."""
    tick, out = os.sysconf("SC_CLK_TCK"), {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            raw = (d / "stat").read_text()
        except OSError:
            continue
        name, rest = raw[raw.index("(") + 1:raw.rindex(")")], raw[raw.rindex(")") + 2:].split()
        out[int(d.name)] = (int(rest[1]), name, (int(rest[11]) + int(rest[12])) / tick)
    return out


def _ours(procs: dict[int, tuple[int, str, float]], pid: int, me: int) -> bool:
    for _ in range(64):
        if pid == me:
            return True
        if pid in (0, 1) or pid not in procs:
            return False
        pid = procs[pid][0]
    return False


def cpu_groups() -> dict[str, dict[int, float]]:
    """CPU seconds so far per process, grouped: PostgreSQL (every server process, ours or not), the
    broker (Tansu, ours), and foreign (anything else that is not this benchmark or its children: other
    people's work on a shared machine, which skews the figures)."""
    procs, me = _all_processes(), os.getpid()
    groups: dict[str, dict[int, float]] = {"postgres": {}, "broker": {}, "foreign": {}}
    for pid, (_ppid, name, cpu) in procs.items():
        if name.startswith("postgres"):
            groups["postgres"][pid] = cpu
        elif not _ours(procs, pid, me):
            groups["foreign"][pid] = cpu
        elif name == "tansu":
            groups["broker"][pid] = cpu
    return groups


def _delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used since ``before`` (processes that exited meanwhile are missed)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


class CpuWindow:
    """CPU used by some processes, by process groups and by the whole machine between start() and stop().
    Per-process figures are % of one core (up to 100 * cores); machine_cpu_pct is % of all cores."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids

    def start(self) -> None:
        self._t0 = {n: _safe_cpu(p) for n, p in self.pids.items()}
        self._m0, self._g0 = machine_busy(), cpu_groups()
        self._w0 = os.times().elapsed

    def stop(self) -> dict[str, float]:
        self.wall_s = os.times().elapsed - self._w0
        out = {f"{n}_cpu_pct": round(100 * (_safe_cpu(p) - self._t0[n]) / self.wall_s, 1)
               for n, p in self.pids.items()}
        for name, now in cpu_groups().items():
            out[f"{name}_cpu_pct"] = round(100 * _delta(self._g0[name], now) / self.wall_s, 1)
        busy, total = machine_busy()
        out["machine_cpu_pct"] = round(100 * (busy - self._m0[0]) / max(1, total - self._m0[1]), 1)
        return out


def _safe_cpu(pid: int) -> float:
    try:
        return process_cpu_s(pid)
    except (OSError, IndexError, ValueError):
        return 0.0
