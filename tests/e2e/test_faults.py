"""Faults with the real broker: a frozen broker, a broker that is down at start, malformed events."""
from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from shared.contract.topics import INTAKE_EVENTS
from tests.e2e.flow import candidates, complete, eventually, receive_and_release, work_order_for
from tests.support.stack import Broker, Stack, free_port, token

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ADMIN = token("admin")
TECH = token("technician")


def test_frozen_broker_loses_and_duplicates_nothing(broker: Broker, tmp_path: Path) -> None:
    """SIGSTOP the broker for 20 s in the middle of a few hundred units: each reaches dispatch once."""
    stack = Stack(tmp_path, broker.bootstrap).start()
    total, done = 300, threading.Event()
    try:
        with httpx.Client(timeout=30) as client:
            freezer = threading.Thread(target=_freeze, args=(broker, 3.0, 20.0, done))
            freezer.start()
            unit_ids = []
            for i in range(total):
                unit_ids.append(receive_and_release(client, stack, f"FRZ-{i:04d}"))
                _complete_queued(client, stack)
            freezer.join()
            assert done.is_set()
            eventually(lambda: _complete_queued(client, stack) or len(candidates(client, stack)) >= total,
                       180, f"{total} candidates", every=1.0)
            listed = candidates(client, stack)
        assert sorted(c["unit_id"] for c in listed) == sorted(unit_ids)  # all of them, each once
        _assert_each_work_order_opened_once(stack, unit_ids)
    finally:
        stack.stop()


def _freeze(broker: Broker, after: float, seconds: float, done: threading.Event) -> None:
    time.sleep(after)
    assert broker.proc is not None
    os.kill(broker.proc.pid, signal.SIGSTOP)
    time.sleep(seconds)
    os.kill(broker.proc.pid, signal.SIGCONT)
    done.set()


def _complete_queued(client: httpx.Client, stack: Stack) -> None:
    r = client.get(stack.url("repair") + "/v1/work-orders", params={"state": "queued", "limit": 500},
                   headers=TECH)
    for wo in r.json():
        complete(client, stack, wo["id"])


def _assert_each_work_order_opened_once(stack: Stack, unit_ids: list[str]) -> None:
    with httpx.Client(timeout=30) as client:
        seen = [work_order_for(client, stack, u) for u in unit_ids]
    assert all(wo and wo["state"] == "repaired" for wo in seen)
    assert len({wo["id"] for wo in seen}) == len(unit_ids)


def test_broker_down_at_start_then_ready_when_it_appears(tmp_path: Path) -> None:
    port = free_port()
    stack = Stack(tmp_path, f"127.0.0.1:{port}").start(wait_ready=False)
    broker = Broker(port, tmp_path / "broker.log")
    try:
        r = httpx.get(stack.url("intake") + "/readyz", timeout=10)
        assert r.status_code == 503 and "broker" in r.json()["reasons"][0]
        with httpx.Client(timeout=10) as client:
            unit_id = receive_and_release(client, stack, "LATE-1")  # intake works without the broker
            broker.start(create_topics=False)  # the services create their topics themselves
            stack.wait_up(60, ready=True)
            eventually(lambda: work_order_for(client, stack, unit_id), 60, "the work order")
    finally:
        stack.stop()
        broker.stop()


def test_malformed_events_reach_the_dead_letter_path(broker: Broker, tmp_path: Path) -> None:
    stack = Stack(tmp_path, broker.bootstrap).start()
    try:
        asyncio.run(_produce_garbage(broker.bootstrap))
        dead = eventually(lambda: (r := _dead(stack)) and len(r) >= 3 and r, 30, "3 dead letters")
        reasons = " | ".join(d["reason"] for d in dead)
        assert "value is not JSON" in reasons
        assert "unknown event type or version" in reasons
        assert "violates its schema" in reasons
        with httpx.Client(timeout=10) as client:  # the consumer kept going
            unit_id = receive_and_release(client, stack, "AFTER-GARBAGE")
            eventually(lambda: work_order_for(client, stack, unit_id), 30, "the work order")
            r = client.post(stack.url("repair") + f"/v1/dead-letters/{dead[0]['id']}/replay", headers=ADMIN)
            assert r.status_code == 200, r.text
            eventually(lambda: len(_dead(stack)) > len(dead), 30, "the replayed garbage dead-lettered again")
    finally:
        stack.stop()


def _dead(stack: Stack) -> list[dict]:
    r = httpx.get(stack.url("repair") + "/v1/dead-letters", headers=ADMIN, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


async def _produce_garbage(bootstrap: str) -> None:
    base = [("ce_id", b"x-1"), ("ce_source", b"/test"), ("ce_specversion", b"1.0"),
            ("ce_subject", b"u-1"), ("content-type", b"application/json")]
    released = ("ce_type", b"com.bondline.intake.unit.released_to_repair.v1")
    p = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await p.start()
    try:
        await p.send_and_wait(INTAKE_EVENTS, b"{broken", key=b"u-1", headers=base + [released])
        await p.send_and_wait(INTAKE_EVENTS, b"{}", key=b"u-1",
                              headers=[("ce_id", b"x-2")] + base[1:]
                              + [("ce_type", b"com.bondline.intake.unit.melted.v9")])
        await p.send_and_wait(INTAKE_EVENTS, b'{"unit_id": "u-1"}', key=b"u-1",
                              headers=[("ce_id", b"x-3")] + base[1:] + [released])
    finally:
        await p.stop()


def test_broker_restarted_empty_and_the_services_carry_on(broker: Broker, tmp_path: Path) -> None:
    """Tansu keeps everything in memory: a restart is a brand-new cluster. No service restarts."""
    stack = Stack(tmp_path, broker.bootstrap).start()
    try:
        with httpx.Client(timeout=15) as client:
            before = receive_and_release(client, stack, "RESTART-1")
            eventually(lambda: work_order_for(client, stack, before), 30, "the first work order")
            broker.stop()
            time.sleep(3)
            broker.start(create_topics=False)  # empty: the services recreate their topics
            after = receive_and_release(client, stack, "RESTART-2")
            eventually(lambda: work_order_for(client, stack, after), 120, "a work order after the restart")
            stack.wait_up(60, ready=True)
    finally:
        stack.stop()
