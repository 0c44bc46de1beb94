"""report.json (every figure) and report.md (a short table) under var/bench/."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.bench import cost, dashboard

TARGET_RATIO, TARGET_P99_MS = 0.8, 100.0


def headline(tp: dict[str, Any] | None, flow: dict[str, Any] | None, raw: dict[str, Any] | None,
             e2e: dict[str, Any] | None = None) -> dict[str, Any]:
    h: dict[str, Any] = {}
    if tp:
        h |= {"intake_rps": tp["intake"]["rps"], "baseline_rps": tp["baseline"]["rps"],
              "intake_ratio": tp["intake_ratio"],
              "intake_p50_ms": tp["intake"]["p50_ms"], "intake_p99_ms": tp["intake"]["p99_ms"],
              "baseline_p50_ms": tp["baseline"]["p50_ms"], "baseline_p99_ms": tp["baseline"]["p99_ms"]}
    if flow:
        h |= {"propagation_p50_ms": flow["propagation"]["p50_ms"],
              "propagation_p99_ms": flow["propagation"]["p99_ms"]}
    if raw:
        h |= {"raw_roundtrip_p50_ms": raw["p50_ms"], "raw_roundtrip_p99_ms": raw["p99_ms"]}
    if e2e:
        for key in ("x1", "x2"):
            if key in e2e:
                h[f"endtoend_units_per_s_{key}"] = e2e[key]["units_per_s"]
                h[f"endtoend_cpu_ms_per_unit_{key}"] = e2e[key]["cpu_ms_per_unit"].get("system_total")
        h |= {"endtoend_scaling_2_vs_1": e2e.get("scaling_2_vs_1"),
              "endtoend_cores_for_1000_units_per_s": (e2e.get("capacity") or {}).get("cores_for_1000_units_per_s")}
    return h


def targets(h: dict[str, Any]) -> dict[str, Any]:
    ratio, p99 = h.get("intake_ratio"), h.get("propagation_p99_ms")
    return {"intake_ratio_min": TARGET_RATIO, "propagation_p99_ms_max": TARGET_P99_MS,
            "intake_ratio_met": ratio is not None and ratio >= TARGET_RATIO,
            "propagation_p99_met": p99 is not None and p99 < TARGET_P99_MS}


def write(out_dir: Path, report: dict[str, Any]) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    js, md = out_dir / "report.json", out_dir / "report.md"
    js.write_text(json.dumps(report, indent=2, default=str) + "\n")
    md.write_text(markdown(report))
    return js, md


def markdown(r: dict[str, Any]) -> str:
    h, t, m = r["results"], r["targets"], r["machine"]
    ok = lambda met: "met" if met else "**missed**"  # noqa: E731
    g = lambda k: "n/a" if h.get(k) is None else h[k]  # noqa: E731
    lines = [
        "# bondline benchmark", "",
        f"{r['timestamp']} · {m['cpu_count']} CPUs · Python {m['python']} · {m['platform']} · "
        f"PostgreSQL {m.get('postgres', '?')} · broker Tansu · total {r['durations_s'].get('total')} s", "",
        "| measure | intake / bondline | baseline / raw | target |", "| --- | --- | --- | --- |",
        f"| write: POST {r['settings']['write_path']} (1 unit), {r['settings']['connections']} connections: req/s | "
        f"{g('intake_rps')} | "
        f"{g('baseline_rps')} | ratio {g('intake_ratio')} >= {t['intake_ratio_min']}: {ok(t['intake_ratio_met'])} |",
        f"| write latency p50 / p99 (ms) | {g('intake_p50_ms')} / {g('intake_p99_ms')} | "
        f"{g('baseline_p50_ms')} / {g('baseline_p99_ms')} | |",
        f"| release commit in intake -> work order in repair, {r['settings']['flow_rate_per_s']:g}/s: "
        f"p50 / p99 (ms) | "
        f"{g('propagation_p50_ms')} / {g('propagation_p99_ms')} | raw Kafka round trip "
        f"{g('raw_roundtrip_p50_ms')} / {g('raw_roundtrip_p99_ms')} | p99 < {t['propagation_p99_ms_max']:g}: "
        f"{ok(t['propagation_p99_met'])} |", ""]
    tp, flow = r.get("throughput"), r.get("propagation")
    if tp:
        i, b = tp["intake"], tp["baseline"]
        lines += [f"Write cost: intake {i.get('server_cpu_ms_per_request')} CPU ms/request, baseline "
                  f"{b.get('server_cpu_ms_per_request')} (server process at {i['cpu'].get('server_cpu_pct')}% / "
                  f"{b['cpu'].get('server_cpu_pct')}% of one core; a single-worker server saturates one core).", ""]
        if tp.get("ratios"):
            lines += [f"Throughput was measured in {len(tp['ratios'])} rounds, intake and baseline alternately (order "
                      f"swapped each round); the table shows the round with the median ratio. Ratios per round: "
                      f"{', '.join(str(x) for x in tp['ratios'])}; all rounds pooled (intake requests over baseline "
                      f"requests): {tp.get('pooled_ratio')}; median CPU ms/request intake "
                      f"{tp['cpu_ms_per_request']['intake']}, baseline {tp['cpu_ms_per_request']['baseline']}.", ""]
    if flow:
        a, b = flow["stage_release_to_published"], flow["stage_published_to_inbox_claim"]
        lines += ["Propagation by stage (p50 / p99 ms): released_at -> outbox published_at "
                  f"{a['p50_ms']} / {a['p99_ms']}; published_at -> repair inbox claim {b['p50_ms']} / {b['p99_ms']} "
                  "(published_at is stamped after the broker ack, so the second stage can be negative).", "",
                  f"Pipeline cost per release: CPU ms {_pairs(flow.get('cpu_ms_per_release'))}; database "
                  f"transactions {_pairs(flow.get('db_transactions_per_release'))}; "
                  f"whole machine {flow['cpu'].get('machine_cpu_pct')}% "
                  f"busy while measuring (PostgreSQL {flow['cpu'].get('postgres_cpu_pct')}%, broker "
                  f"{flow['cpu'].get('broker_cpu_pct')}% of a core).", ""]
    if r.get("dashboard"):
        lines += dashboard.markdown(r["dashboard"])
    if r.get("endtoend"):
        lines += endtoend_markdown(r["endtoend"])
    if r.get("cost"):
        lines += cost.markdown(r["cost"])
    if r.get("warnings"):
        lines += ["Warnings:", ""] + [f"- {w}" for w in r["warnings"]] + [""]
    if r.get("errors"):
        lines += ["Errors:", ""] + [f"- {e}" for e in r["errors"]] + [""]
    lines += ["Every figure, CPU use per process and the settings are in `report.json`.", ""]
    return "\n".join(lines)


def _pairs(d: dict[str, Any] | None) -> str:
    return ", ".join(f"{k} {v}" for k, v in (d or {}).items()) or "n/a"


def endtoend_markdown(e: dict[str, Any]) -> list[str]:
    """End-to-end throughput (release at intake -> candidate at dispatch), one and two instances per service."""
    runs = [e[k] for k in ("x1", "x2", "x3", "x4") if k in e]
    if not runs:
        return []
    st = e["settings"]
    lines = ["## End to end: release at intake -> candidate at dispatch", "",
             f"Closed loop, {st['duration_s']:g} s measured after {st['warmup_s']:g} s warm-up, at most "
             f"{st['max_inflight']} units in flight; per unit: a release at intake, three calls at repair "
             "(diagnosis started, diagnosis, closed beyond repair) and every event they cause (all four services "
             "consume). Each service as `all` processes (API + relay + consumer), round-robin over its instances.", "",
             "| instances per service | units/s | release -> work order p50 / p99 (ms) | completed -> candidate "
             "p50 / p99 (ms) | release -> candidate p50 / p99 (ms) | max consumer lag | CPU ms per unit: " +
             " / ".join(["intake", "repair", "dispatch", "partners", "PostgreSQL", "broker", "total"]) + " |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in runs:
        c = r["cpu_ms_per_unit"]
        pair = lambda d: f"{d['p50_ms']} / {d['p99_ms']}"  # noqa: E731
        lag = max(r["max_lag"].values()) if r["max_lag"] else "n/a"
        lines.append(f"| {r['instances']} | {r['units_per_s']} | {pair(r['release_to_work_order'])} | "
                     f"{pair(r['completed_to_candidate'])} | {pair(r['release_to_candidate'])} | {lag} | " +
                     " / ".join(str(c.get(k, "n/a")) for k in ("intake", "repair", "dispatch", "partners",
                                                               "postgres", "broker", "system_total")) + " |")
    lines.append("")
    relay = [(r["instances"], r["intake_outbox_created_to_published"]) for r in runs
             if "intake_outbox_created_to_published" in r]
    lines += ["Intake's relay (outbox row created -> published, p50 / p99 ms): "
              + "; ".join(f"{n} instance(s) {d['p50_ms']} / {d['p99_ms']}" for n, d in relay)
              + ". Under a closed loop the latencies are mostly queueing (units in flight / units per second).", ""]
    if e.get("scaling_2_vs_1") is not None:
        lines += [f"Scaling, two instances vs one: {e['scaling_2_vs_1']}x the units/s (on this machine's "
                  f"{runs[0]['cpu'].get('machine_cpu_pct')}% busy cores a second instance adds processes, not "
                  "cores: the figure to read off is the CPU cost per unit).", ""]
    cap = e.get("capacity")
    if cap:
        lines += [f"Capacity: at {cap['cpu_ms_per_unit']} CPU ms per unit ({cap['basis']}), 1,000 units/s needs "
                  f"{cap['cores_for_1000_units_per_s']} cores (1 core = 1,000 CPU ms per second), before headroom.",
                  ""]
    return lines
