"""Observability of a real run: the four services as processes, JSON logs and traces written to files.

One unit is released at intake: the release request, intake's relay, repair's work order (and the event it
publishes), dispatch's and partners' handling and the webhook partners sends form one trace, each span's
parent in it. Every log line is JSON with its service; the release has an access line in that trace; no token
or secret the run used appears in any log."""
from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.kit.settings import DEV_JWT_SECRET
from tests.e2e.flow import CLERK, DESK, TECH, candidates, complete, eventually, receive_and_release, work_order_for
from tests.support import promql
from tests.support.intake import OFFICER
from tests.support.receiver import ThreadedReceiver
from tests.support.stack import ROOT, Broker, Stack, free_port, token

OWNER = "owner-fab-1"
PARTNER = token("partner", OWNER)
RELEASE = "POST /v1/units/{unit_id}/release"


@pytest.fixture
def traced(broker: Broker, tmp_path: Path) -> Iterator[Stack]:
    s = Stack(tmp_path, broker.bootstrap, extra_env={
        "BONDLINE_TRACES_DIR": str(tmp_path / "traces"), "OTEL_BSP_SCHEDULE_DELAY": "200",
        "BONDLINE_LOG_FORMAT": "json", "PARTNERS_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
        "PARTNERS_WEBHOOK_POLL_INTERVAL_S": "0.2"})
    try:
        yield s.start()
    finally:
        s.stop()


def spans(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for f in sorted(folder.glob("*.jsonl")) for line in f.read_text().splitlines()]


def service(span: dict[str, Any]) -> str:
    return str(span["resource"]["attributes"]["service.name"])


def test_one_release_is_one_trace_across_the_services_and_the_logs_hold_no_secret(traced: Stack,
                                                                                   tmp_path: Path) -> None:
    with ThreadedReceiver() as hook, httpx.Client(timeout=15) as c:
        endpoint = c.post(traced.url("partners") + "/v1/webhooks/endpoints", json={"url": hook.url},
                          headers=PARTNER).json()
        unit_id = receive_and_release(c, traced, "TRACE-1")
        wo = eventually(lambda: work_order_for(c, traced, unit_id), 30, "the work order")
        complete(c, traced, wo["id"])
        eventually(lambda: any(x["unit_id"] == unit_id for x in candidates(c, traced)), 30, "the candidate")
        eventually(lambda: any(json.loads(g.body)["type"].endswith("unit.released_to_repair.v1") for g in hook.got), 30,
                   "the webhook for the release")
        exported = set().union(*(promql.exported_names(c.get(traced.url(name) + "/metrics").text)
                                  for name in ("intake", "repair", "dispatch", "partners")))
    traced.stop()  # the processes flush their spans as they exit
    missing = promql.names_used() - exported
    assert missing == set(), f"the dashboard or the alerts read metrics no service exports: {sorted(missing)}"
    assert {"bondline_consumer_lag", "bondline_webhook_backlog", "process_cpu_seconds_total"} <= exported

    everything = spans(tmp_path / "traces")
    (release,) = [s for s in everything if s["name"] == RELEASE and s["kind"] == "SpanKind.SERVER"]
    trace_id = release["context"]["trace_id"]
    hex_id = trace_id.removeprefix("0x")  # the SDK's span JSON writes 0x<32 hex>; W3C and the logs the 32 hex
    trace = [s for s in everything if s["context"]["trace_id"] == trace_id]
    assert {service(s) for s in trace} == {"bondline-intake", "bondline-repair", "bondline-dispatch",
                                           "bondline-partners"}
    by_id = {s["context"]["span_id"]: s for s in trace}
    assert release["parent_id"] is None
    orphans = [s["name"] for s in trace if s is not release and s["parent_id"] not in by_id]
    assert orphans == [], f"spans whose parent is not in the trace: {orphans}"

    def parent_service(s: dict[str, Any]) -> str:
        return service(by_id[s["parent_id"]])

    consumers = [s for s in trace if s["kind"] == "SpanKind.CONSUMER"]
    released = [s for s in consumers if s["name"].endswith("unit.released_to_repair.v1")]
    assert {service(s) for s in released} >= {"bondline-repair", "bondline-dispatch", "bondline-partners"}
    assert all(parent_service(s) == "bondline-intake" for s in released), "a consumer's parent is the producer's span"
    # repair's work order event, staged while handling intake's event, continues the same trace at dispatch
    assert any(parent_service(s) == "bondline-repair" and service(s) == "bondline-dispatch" for s in consumers)
    publishes = [s for s in trace if s["kind"] == "SpanKind.PRODUCER"]
    assert {service(s) for s in publishes} >= {"bondline-intake", "bondline-repair"}
    assert any(s["name"].startswith("deliver webhook") and service(s) == "bondline-partners" for s in trace)
    hooked = [g for g in hook.got if json.loads(g.body)["type"].endswith("unit.released_to_repair.v1")]
    assert hooked and hooked[0].headers["traceparent"].split("-")[1] == hex_id

    lines = [(f.name, line) for f in sorted((tmp_path / "log").glob("*.log")) for line in f.read_text().splitlines()]
    records = [json.loads(line) for _, line in lines if line.startswith("{")]
    not_json = [(name, line) for name, line in lines if not line.startswith("{")]
    assert not_json == [], f"log lines that are not JSON: {not_json[:5]}"
    assert {r["service"] for r in records} == {"intake", "repair", "dispatch", "partners"}
    access = [r for r in records if r["logger"] == "bondline.access" and r["route"] == "/v1/units/{unit_id}/release"]
    assert access and access[0]["status"] == 200 and access[0]["trace_id"] == hex_id
    assert access[0]["actor"].startswith("intake_clerk:")

    used = [h["Authorization"].split()[1] for h in (CLERK, TECH, DESK, OFFICER, PARTNER)]
    used += [s["secret"] for s in endpoint["secrets"]] + [DEV_JWT_SECRET]
    text = "\n".join(line for _, line in lines)
    leaked = [secret[:12] + "..." for secret in used if secret in text]
    assert leaked == [], f"secrets in the logs: {leaked}"


def test_a_consumer_process_of_its_own_serves_its_metrics_on_its_port(broker: Broker, tmp_path: Path) -> None:
    """Split processes have no API: ``<NAME>_METRICS_PORT`` gives the consumer its own /metrics (its lag)."""
    s = Stack(tmp_path, broker.bootstrap)
    port = free_port()
    env = s.env() | {"REPAIR_METRICS_PORT": str(port)}
    proc = subprocess.Popen([sys.executable, "-m", "services.repair", "consumer"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        def scrape() -> str | None:
            try:
                text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
            except httpx.HTTPError:
                return None
            return text if "bondline_consumer_lag{" in text else None
        text = eventually(scrape, 60, "the consumer's lag on its metrics port")
        assert 'consumer="bondline.repair"' in text and "process_cpu_seconds_total" in text
        assert "bondline_outbox_backlog" not in text, "the API's database gauges are the API's"
    finally:
        proc.terminate()
        proc.wait(20)
