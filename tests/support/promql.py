"""The PromQL of deploy/observability/: every expression of the dashboard and the alert rules, and the metric
names each one reads (parsed with promql-parser, the Prometheus parser's Rust port)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import promql_parser
import yaml

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "deploy" / "observability"
DASHBOARD = FOLDER / "grafana-dashboard.json"
ALERTS = FOLDER / "alerts.yaml"
PROMETHEUS_OWN = {"up"}  # series Prometheus makes itself, not a service


def dashboard_expressions() -> dict[str, str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return {f"{p['title']} {t['refId']}": t["expr"] for p in panels for t in p["targets"]}


def alert_expressions() -> dict[str, str]:
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    return {r["alert"]: r["expr"] for g in groups for r in g["rules"]}


def metric_names(expr: str) -> set[str]:
    """The metric names an expression selects; raises ValueError when it does not parse."""
    found: set[str] = set()
    _walk(promql_parser.parse(expr), found)
    return found


def _walk(node: Any, found: set[str]) -> None:
    if type(node).__name__ == "VectorSelector":
        found.add(node.name)
        return
    for attribute in ("lhs", "rhs", "expr", "args", "vector_selector", "param"):
        child = getattr(node, attribute, None)
        for c in child if isinstance(child, list) else [child]:
            if c is not None:
                _walk(c, found)


def names_used() -> set[str]:
    exprs = {**dashboard_expressions(), **alert_expressions()}
    return {name for e in exprs.values() for name in metric_names(e)} - PROMETHEUS_OWN


SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "summary": ("", "_sum", "_count"),
            "gauge": ("",), "info": ("_info",), "untyped": ("",)}


def exported_names(exposition: str) -> set[str]:
    """The series names a /metrics page declares (``# TYPE``), as PromQL selects them: a counter as ``_total``, a
    histogram as ``_bucket``/``_sum``/``_count``. Declared counts: a labelled counter has no sample until its
    first increment (no dead letter yet), yet the service exports it."""
    names = set()
    for line in exposition.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            base = name.removesuffix("_total") if kind == "counter" else name  # the text format names it either way
            names |= {base + suffix for suffix in SUFFIXES.get(kind, ("",))}
    return names
