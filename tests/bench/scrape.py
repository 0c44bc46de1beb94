"""Means from the services' own Prometheus metrics: where a service spends its time per event/request."""
from __future__ import annotations

from collections import defaultdict

import httpx
from prometheus_client.parser import text_string_to_metric_families

WATCH = ("bondline_event_handle_seconds", "bondline_http_request_seconds")


def metrics(url: str) -> dict[str, dict[str, float]]:
    """{metric{labels}: {count, mean_ms}} for the histograms in WATCH; {} if /metrics is unavailable."""
    try:
        text = httpx.get(url + "/metrics", timeout=10).text
    except httpx.HTTPError:
        return {}
    acc: dict[str, dict[str, float]] = defaultdict(dict)
    for family in text_string_to_metric_families(text):
        if family.name not in WATCH:
            continue
        for s in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()) if k != "le")
            if s.name.endswith("_sum"):
                acc[f"{family.name}{{{labels}}}"]["sum"] = s.value
            elif s.name.endswith("_count"):
                acc[f"{family.name}{{{labels}}}"]["count"] = s.value
    return {k: {"count": int(v.get("count", 0)),
                "mean_ms": round(1000 * v.get("sum", 0) / v["count"], 2) if v.get("count") else None}
            for k, v in acc.items()}
