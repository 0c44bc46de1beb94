"""The example partner consumer prints a unit's journey from the real broker, standalone."""
from __future__ import annotations

import ast
import asyncio
import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from shared.contract.topics import INTAKE_EVENTS
from tests.e2e.flow import eventually, receive_and_release, work_order_for
from tests.support.stack import ROOT, Broker, Stack

CONSUMER = ROOT / "deploy" / "partner" / "example_consumer.py"
JOURNEY = ["com.bondline.intake.unit.announced.v1", "com.bondline.intake.unit.declared.v1",
           "com.bondline.intake.unit.received.v1", "com.bondline.intake.unit.released_to_repair.v1",
           "com.bondline.repair.work_order.opened.v1"]


@pytest.fixture
def sqlite_stack(broker: Broker, tmp_path: Path) -> Iterator[Stack]:
    s = Stack(tmp_path, broker.bootstrap)
    try:
        yield s.start()
    finally:
        s.stop()


def test_consumer_needs_only_aiokafka_and_the_standard_library():
    tree = ast.parse(CONSUMER.read_text())
    modules = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert modules - {"__future__"} <= set(sys.stdlib_module_names) | {"aiokafka"}, modules


def test_partner_consumer_prints_a_units_journey(sqlite_stack: Stack, tmp_path: Path):
    stack = sqlite_stack
    with httpx.Client(timeout=10) as client:
        other = receive_and_release(client, stack, "PARTNER-OTHER")
        unit_id = receive_and_release(client, stack, "PARTNER-1")
        eventually(lambda: work_order_for(client, stack, unit_id), 30, f"work order for {unit_id}")
    asyncio.run(_publish_foreign_records(stack.bootstrap, unit_id))
    run = subprocess.run([sys.executable, str(CONSUMER), "--bootstrap", stack.bootstrap, "--unit", unit_id,
                          "--owner", "owner-fab-1", "--max-seconds", "20"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    lines = [line for line in run.stdout.splitlines() if not line.startswith("#")]
    types = [line.split()[1] for line in lines]
    assert [t for t in types if t in JOURNEY] == JOURNEY, run.stdout
    print(run.stdout)
    assert other not in run.stdout and "serial_number=PARTNER-1" in run.stdout
    times = [datetime.fromisoformat(line.split()[0].replace("Z", "+00:00")) for line in lines]
    assert times == sorted(times), "not in time order"
    refused = [line for line in run.stderr.splitlines() if line.startswith("warning: refused")]
    assert len(refused) == 2 and "missing CloudEvents headers" in refused[0], run.stderr
    assert "content-type 'text/plain' is not application/json" in refused[1], run.stderr


async def _publish_foreign_records(bootstrap: str, unit_id: str) -> None:
    """Two records a partner must refuse: no CloudEvents headers, and a non-JSON content type."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        good = dict(ce_id="x-1", ce_source="/elsewhere", ce_type="com.bondline.intake.unit.received.v1",
                    ce_specversion="1.0", ce_time="2026-11-24T00:00:00Z", ce_subject=unit_id)
        await producer.send_and_wait(INTAKE_EVENTS, b'{"unit_id": "x"}', key=unit_id.encode(), partition=0)
        await producer.send_and_wait(INTAKE_EVENTS, b"hello", key=unit_id.encode(), partition=0, headers=[
            *((k, v.encode()) for k, v in good.items()), ("content-type", b"text/plain")])
    finally:
        await producer.stop()


def _load_consumer():
    spec = importlib.util.spec_from_file_location("example_consumer", CONSUMER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def test_journey_merges_topics_in_time_order_drops_duplicates_and_stops_on_delivery(capsys):
    ec = _load_consumer()
    intake, dispatch = ec.TopicPartition(INTAKE_EVENTS, 1), ec.TopicPartition("bondline.dispatch.events", 2)

    def record(offset, ce_type, at, ce_id, subject="U1", **data):
        headers = {"ce_id": ce_id, "ce_source": "/bondline/x", "ce_type": ce_type, "ce_specversion": "1.0",
                   "ce_time": at, "ce_subject": subject, "content-type": "application/json"}
        value = json.dumps({"unit_id": subject, "owner_id": "o1", **data}).encode()
        return SimpleNamespace(offset=offset, headers=[(k, v.encode()) for k, v in headers.items()], value=value)

    j = ec.Journey("U1", "o1", hold=60)
    j.take(dispatch, record(7, "com.bondline.dispatch.item.delivered.v1", "2026-11-29T04:00:00Z", "d",
                            item_id="U1"))
    j.take(intake, record(3, "com.bondline.intake.unit.received.v1", "2026-11-21T06:30:00.5Z", "r"))
    j.take(intake, record(4, "com.bondline.intake.unit.received.v1", "2026-11-21T06:30:00.5Z", "r"))  # again
    j.take(intake, record(5, "com.bondline.intake.unit.announced.v1", "2026-11-21T06:30:00Z", "a",
                          subject="U2"))
    j.flush()
    assert capsys.readouterr().out == "" and not j.delivered  # still held
    assert j.committable() == {intake: 3, dispatch: 7}
    j.flush(everything=True)
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in out] == ["com.bondline.intake.unit.received.v1",
                                                 "com.bondline.dispatch.item.delivered.v1"]
    assert j.delivered and j.committable() == {intake: 6, dispatch: 8}
    assert ec.check_headers({"ce_id": "x"}).startswith("missing CloudEvents headers")
