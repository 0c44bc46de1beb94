"""Hostile records with the real broker and the three services as processes, on SQLite and PostgreSQL.

Every record of the integration table (NUL bytes, invalid UTF-8, oversized ids and headers, a 1 MiB
value, ...) goes onto every partition of bondline.intake.events, ahead of a normal unit: repair
dead-letters each of them (its table and bondline.repair.deadletter), and the unit still gets its work
order. test_faults covers the plain malformed events; this covers what used to wedge a partition.
"""
from __future__ import annotations

import asyncio
import base64
import time
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from shared.contract.topics import INTAKE_EVENTS
from tests.e2e.flow import eventually, receive_and_release, work_order_for
from tests.integration.test_hostile_records import Hostile, hostile_records
from tests.support.stack import Stack, token

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ADMIN = token("admin")
DLQ = "bondline.repair.deadletter"
Place = tuple[int, int]  # (partition, offset) on bondline.intake.events


def test_hostile_records_are_dead_lettered_everywhere_and_the_partition_moves_on(stack: Stack) -> None:
    records = hostile_records()
    sent = asyncio.run(asyncio.wait_for(_produce(stack.bootstrap, records), 60))
    dead = eventually(lambda: _dead_at(stack, sent), 90, f"{len(sent)} dead letters")
    assert {place: row["encoding"] for place, row in dead.items()} == {p: h.encoding for p, h in sent.items()}
    with httpx.Client(timeout=15) as client:
        unit_id = receive_and_release(client, stack, "AFTER-HOSTILE")
        eventually(lambda: work_order_for(client, stack, unit_id), 60, "the work order past the hostile records")
    copies = asyncio.run(_read_dead_letter_topic(stack.bootstrap, set(sent), 60))
    assert set(copies) == set(sent)
    for place, h in sent.items():
        _assert_copy(copies[place], h)


@pytest.mark.parametrize("stack", ["postgresql"], indirect=True)  # SQLite: the integration tier; one stack here
def test_a_base64_dead_letter_replays_its_original_bytes(stack: Stack) -> None:
    nul = next(h for h in hostile_records() if h.name == "nul-in-value")
    [place] = asyncio.run(asyncio.wait_for(_produce(stack.bootstrap, [nul], partitions=1), 30))
    row = eventually(lambda: _dead_at(stack, {place: nul}), 60, "the dead letter")[place]
    r = httpx.post(stack.url("repair") + f"/v1/dead-letters/{row['id']}/replay", headers=ADMIN, timeout=15)
    assert r.status_code == 200, r.text
    again = eventually(lambda: [d for d in _dead(stack) if d["id"] != row["id"]], 60, "the replay dead-lettered")
    assert again[0]["encoding"] == "base64" and base64.b64decode(again[0]["value"]) == nul.value


async def _produce(bootstrap: str, records: list[Hostile], partitions: int | None = None) -> dict[Place, Hostile]:
    """Each record onto every partition (so whichever one the unit lands on is behind them all)."""
    p = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", max_request_size=4 << 20)
    await p.start()
    try:
        sent = {}
        for partition in sorted(await p.partitions_for(INTAKE_EVENTS))[:partitions]:
            for h in records:
                md = await p.send_and_wait(INTAKE_EVENTS, h.value, key=h.key, headers=h.headers,
                                           partition=partition)
                sent[(md.partition, md.offset)] = h
        return sent
    finally:
        await p.stop()


def _dead(stack: Stack) -> list[dict[str, Any]]:
    r = httpx.get(stack.url("repair") + "/v1/dead-letters", params={"limit": 500}, headers=ADMIN, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def _dead_at(stack: Stack, sent: dict[Place, Hostile]) -> dict[Place, dict[str, Any]] | None:
    rows = {(d["partition"], d["offset"]): d for d in _dead(stack) if d["topic"] == INTAKE_EVENTS}
    return rows if set(sent) <= set(rows) else None


async def _read_dead_letter_topic(bootstrap: str, want: set[Place], timeout: float) -> dict[Place, Any]:
    """The copies on the dead-letter topic, by the place of their original (Tansu's end offsets are
    wrong, so read from the start until every one is there or the time is up)."""
    c = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest",
                         enable_auto_commit=False, fetch_max_wait_ms=100)
    await asyncio.wait_for(c.start(), 15)
    try:
        await c.topics()
        c.assign([TopicPartition(DLQ, p) for p in c.partitions_for_topic(DLQ) or ()])
        copies, deadline = {}, time.monotonic() + timeout
        while not want <= set(copies) and time.monotonic() < deadline:
            for recs in (await c.getmany(timeout_ms=500)).values():
                copies.update({_place(r): r for r in recs if _from_intake(r)})
        return copies
    finally:
        await asyncio.wait_for(c.stop(), 15)


def _from_intake(rec: Any) -> bool:
    return dict(rec.headers).get("dlq_topic") == INTAKE_EVENTS.encode()


def _place(rec: Any) -> Place:
    h = dict(rec.headers)
    return int(h["dlq_partition"]), int(h["dlq_offset"])


def _assert_copy(copy: Any, h: Hostile) -> None:
    meta = dict(copy.headers)
    assert "dlq_row_id" in meta and "dlq_reason" in meta, h.name
    if h.name == "value-1MiB":  # more than the services' producer sends in one request
        assert meta["dlq_value_omitted"] == str(len(h.value or b"")).encode() and not copy.value
        return
    assert "dlq_value_omitted" not in meta, h.name
    assert (copy.key, copy.value) == (h.key, h.value), h.name
    assert list(copy.headers)[:len(h.headers)] == list(h.headers), h.name
