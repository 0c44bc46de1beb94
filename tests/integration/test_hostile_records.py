"""Hostile records through repair's real consumer on SQLite and PostgreSQL, with the in-memory broker.

Whatever bytes a record holds in its key, headers and value, and whatever its size, it is handled or
dead-lettered at its first attempt: one row per record that stores it faithfully (as text, or base64
when the bytes are not text), a copy on the dead-letter topic, and the partition moves on. The table
``hostile_records()`` is shared with the end-to-end test.
"""
from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from aiokafka.errors import MessageSizeTooLargeError
from aiokafka.record.default_records import DefaultRecordBatchBuilder
from sqlalchemy import select

from services.kit import dead_letters_api
from services.kit.db import make_engine, make_sessions
from services.repair.bootstrap import build_app
from services.repair.db.tables import WorkOrderRow, dead_letters, inbox
from services.repair.messaging.handlers import HANDLERS, SUBSCRIBE
from shared.contract.envelope import CloudEvent
from shared.contract.events.common import Money
from shared.contract.events.intake import UnitReleasedToRepair
from shared.contract.registry import REGISTRY
from shared.contract.topics import INTAKE_EVENTS
from shared.messaging import dead_letters as dl
from shared.messaging.consumer import ConsumerOptions, EventConsumer
from shared.messaging.dead_letters import DeadLetterWriter
from shared.messaging.fakes import FakeBroker, FakeProducer
from tests.support.runtime import runtime
from tests.support.stack import token

DLQ, MIB = "bondline.repair.deadletter", 1 << 20
RELEASED = "com.bondline.intake.unit.released_to_repair.v1"
Headers = list[tuple[str, bytes | None]]


@dataclass(frozen=True)
class Hostile:
    name: str
    key: bytes | None
    value: bytes | None
    headers: Headers
    reason: str            # a fragment of the dead-letter reason
    encoding: str = "utf-8"  # how the dead-letter row stores the record


def released(unit_id: str | None = None) -> CloudEvent:
    unit_id = unit_id or str(uuid.uuid4())
    return REGISTRY.to_event(UnitReleasedToRepair(
        unit_id=unit_id, owner_id="fab-1", serial_number=f"SN-{unit_id[:8]}", part_number="0040-86372",
        hs_code="8486909000", origin="foreign", origin_country="KR",
        declared_value=Money(amount="42000.00", currency="USD"), released_at=datetime.now(timezone.utc)),
        "/bondline/intake")


def _set(headers: Headers, name: str, value: bytes) -> Headers:
    return [(k, value if k == name else v) for k, v in headers]


def _drop(headers: Headers, name: str) -> Headers:
    return [(k, v) for k, v in headers if k != name]


def _valid(name: str, reason: str, encoding: str = "utf-8", key: bytes | None = None, value: bytes | None = None,
           edit: Any = None) -> Hostile:
    """A well-formed release event with one thing changed."""
    e = released()
    headers = edit(e.headers()) if edit else e.headers()
    return Hostile(name, key if key is not None else e.key(), value if value is not None else e.value(),
                   headers, reason, encoding)


def hostile_records() -> list[Hostile]:
    unknown = lambda h: _set(h, "ce_type", b"com.bondline.intake.unit.melted.v9")  # noqa: E731
    return [
        _valid("nul-in-value", "value is not JSON", "base64", value=b'{"unit_id": "u\x00"}'),
        _valid("invalid-utf8-value", "value is not JSON", "base64", value=b"\xff\xfe\x00{"),
        _valid("nul-in-key", "missing CloudEvents headers: ce_id", "base64", key=b"unit\x00id",
               edit=lambda h: _drop(h, "ce_id")),
        _valid("invalid-utf8-key", "unknown event type", "base64", key=b"\xc3\x28\xff", edit=unknown),
        _valid("nul-in-header", "header ce_subject contains a NUL byte", "base64",
               edit=lambda h: _set(h, "ce_subject", b"unit\x00")),
        _valid("invalid-utf8-header", "header ce_source is not UTF-8", "base64",
               edit=lambda h: _set(h, "ce_source", b"/bondline/\xff")),
        _valid("binary-foreign-header", "unknown event type", "base64",
               edit=lambda h: unknown(h) + [("traceparent", b"\x00\xff\xfe")]),
        _valid("ce-id-10kB", "ce_id is 10000 characters long", edit=lambda h: _set(h, "ce_id", b"i" * 10_000)),
        _valid("ce-id-150", "ce_id is 150 characters long", edit=lambda h: _set(h, "ce_id", b"i" * 150)),
        _valid("ce-id-empty", "ce_id is empty", edit=lambda h: _set(h, "ce_id", b"")),
        _valid("ce-id-missing", "missing CloudEvents headers: ce_id", edit=lambda h: _drop(h, "ce_id")),
        _valid("ce-type-twice", "header ce_type appears 2 times",
               edit=lambda h: h + [("ce_type", b"com.bondline.intake.unit.received.v1")]),
        _valid("header-100kB", "content-type is 100017 characters long",
               edit=lambda h: _set(h, "content-type", b"application/json;" + b" " * 100_000)),
        _valid("value-1MiB", "value is not JSON", value=b"x" * MIB),
        _valid("json-nested-too-deep", "value is not JSON", value=b"[" * 100_000),
        _valid("json-integer-too-long", "value is not JSON", value=b'{"n": ' + b"1" * 5000 + b"}"),
        Hostile("no-value", b"unit-x", None, released().headers(), "record has no value"),
        _valid("schema-violation", "violates its schema", value=b'{"unit_id": "u-1"}'),
        _valid("unknown-type", "unknown event type or version", edit=unknown),
        _valid("ce-sequence-beyond-bigint", "ce_sequence must be a decimal integer from 1 to",
               edit=lambda h: h + [("ce_sequence", b"99999999999999999999")]),
        _valid("type-version-not-ascii", "ce_type must be printable ASCII",
               edit=lambda h: _set(h, "ce_type", (RELEASED[:-1] + "\u00b2").encode())),
    ]


class SizeLimitedProducer(FakeProducer):
    """Refuses what aiokafka's producer refuses: a record over max_request_size (1 MiB by default)."""

    async def send(self, topic: str, value: bytes | None = None, key: bytes | None = None,
                   headers: Headers | None = None) -> asyncio.Future[Any]:
        if DefaultRecordBatchBuilder.estimate_size_in_bytes(key, value, headers or []) > MIB:
            raise MessageSizeTooLargeError("larger than max_request_size")
        return await super().send(topic, value, key, headers)


def consumer(rt: Any, broker: FakeBroker) -> EventConsumer:
    dead = DeadLetterWriter(rt.sessions, dead_letters, DLQ, lambda: SizeLimitedProducer(broker))
    return EventConsumer("bondline.repair", SUBSCRIBE, HANDLERS, rt.uow, inbox, dead,
                         lambda: broker.consumer("bondline.repair", SUBSCRIBE), rt.metrics,
                         ConsumerOptions(max_attempts=3, retry_base_s=0.001, poll_timeout_ms=1))


def fill(broker: FakeBroker, records: list[Hostile], then: CloudEvent) -> None:
    for h in records:
        broker.append(INTAKE_EVENTS, h.key, h.value, h.headers)
    broker.append(INTAKE_EVENTS, then.key(), then.value(), then.headers())


async def rows(rt: Any) -> list[Any]:
    async with rt.sessions() as s:
        return list((await s.execute(select(dead_letters).order_by(dead_letters.c.offset))).all())


async def work_order_units(rt: Any) -> list[str]:
    async with rt.sessions() as s:
        return list((await s.scalars(select(WorkOrderRow.unit_id))).all())


async def drain(c: EventConsumer, broker: FakeBroker, polls: int = 3) -> None:
    """A few polls, each bounded in time, must take the group to the end of the topic."""
    end = len(broker.topics[INTAKE_EVENTS])
    for _ in range(polls):
        if broker.committed.get(("bondline.repair", INTAKE_EVENTS)) == end:
            return
        await asyncio.wait_for(c.poll_once(), 60)
    assert broker.committed.get(("bondline.repair", INTAKE_EVENTS)) == end


async def test_each_hostile_record_is_dead_lettered_at_its_first_attempt(db_url, monkeypatch):
    rt, broker, records = runtime("repair", db_url, monkeypatch), FakeBroker(), hostile_records()
    fill(broker, records, released())
    c, outcomes = consumer(rt, broker), {}
    for h, rec in zip(records, broker.topics[INTAKE_EVENTS], strict=False):  # the topic ends with one more event
        try:
            outcomes[h.name] = await asyncio.wait_for(c.process(rec), 30)
        except Exception as exc:  # noqa: BLE001 - collected so that the assertion names every record
            outcomes[h.name] = repr(exc)[:300]
    assert outcomes == {h.name: "dead_lettered" for h in records}
    stored = await rows(rt)
    assert [(r.offset, r.attempts) for r in stored] == [(i, 1) for i in range(len(records))]
    for h, row in zip(records, stored, strict=True):
        assert (h.name, row.encoding) == (h.name, h.encoding) and h.reason in row.reason, (h.name, row.reason)
        assert dl.original(row._mapping) == (h.key, h.value, h.headers), h.name
    await rt.dispose()


async def test_the_partition_moves_on_past_all_of_them(db_url, monkeypatch):
    rt, broker, records, after = runtime("repair", db_url, monkeypatch), FakeBroker(), hostile_records(), released()
    fill(broker, records, after)
    await drain(consumer(rt, broker), broker)
    assert len(await rows(rt)) == len(records)
    assert await work_order_units(rt) == [after.subject]
    await rt.dispose()


async def test_every_dead_letter_reaches_the_topic_even_when_too_large(db_url, monkeypatch):
    rt, broker, records = runtime("repair", db_url, monkeypatch), FakeBroker(), hostile_records()
    fill(broker, records, released())
    await drain(consumer(rt, broker), broker)
    stored = {r.id: r for r in await rows(rt)}
    copies = {int(dict(c.headers)["dlq_row_id"]): c for c in broker.topics[DLQ]}
    assert sorted(copies) == sorted(stored) and all(r.sent_to_topic for r in stored.values())
    for row_id, copy in copies.items():
        meta, original = dict(copy.headers), dl.original(stored[row_id]._mapping)
        assert meta["dlq_offset"] == str(stored[row_id].offset).encode()
        if "dlq_value_omitted" in meta:
            assert meta["dlq_value_omitted"] == str(len(original[1] or b"")).encode() and not copy.value
        else:
            assert (copy.key, copy.value) == original[:2]
    assert sum("dlq_value_omitted" in dict(c.headers) for c in copies.values()) == 1  # the 1 MiB one
    await rt.dispose()


async def test_admins_see_the_encoding_and_replay_the_original_bytes(db_url, monkeypatch):
    rt, broker, records = runtime("repair", db_url, monkeypatch), FakeBroker(), hostile_records()
    fill(broker, records, released())
    await drain(consumer(rt, broker), broker)
    monkeypatch.setattr(dead_letters_api.kafka, "producer", lambda cfg: broker.producer())
    app, admin = build_app(rt, run_relay=False, run_consumer=False), token("admin")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://repair") as api:
        listed = (await api.get("/v1/dead-letters", params={"limit": 500}, headers=admin)).json()
        assert sorted(d["encoding"] for d in listed) == sorted(h.encoding for h in records)
        for d in sorted(listed, key=lambda d: d["offset"]):
            detail = (await api.get(f"/v1/dead-letters/{d['id']}", headers=admin)).json()
            assert detail["encoding"] == d["encoding"] and detail["value"] == d["value"]
            assert (await api.post(f"/v1/dead-letters/{d['id']}/replay", headers=admin)).status_code == 200
    replayed = broker.topics[INTAKE_EVENTS][len(records) + 1:]
    assert [(r.key, r.value, r.headers) for r in replayed] == [(h.key, h.value, h.headers) for h in records]
    await rt.dispose()


async def test_a_row_the_database_refuses_is_stored_minimal_and_base64(db_url, monkeypatch):
    rt, broker, h = runtime("repair", db_url, monkeypatch), FakeBroker(), hostile_records()[0]
    monkeypatch.setattr(dl, "stored", lambda rec: {"key": None, "value": None, "headers": object(),
                                                   "encoding": "utf-8"})  # not JSON: the insert fails
    fill(broker, [h], released())
    await drain(consumer(rt, broker), broker)
    [row] = await rows(rt)
    assert row.encoding == "base64" and "could not be stored as is" in row.reason and h.reason in row.reason
    assert dl.original(row._mapping) == (h.key, h.value, h.headers)
    await rt.dispose()


async def test_an_unreachable_database_is_raised_not_swallowed():
    engine = make_engine("postgresql+asyncpg://postgres@127.0.0.1:1/nothing_listens", 1)
    writer = DeadLetterWriter(make_sessions(engine), dead_letters, DLQ, None)
    rec = FakeBroker().append(INTAKE_EVENTS, b"k", b"v")
    try:
        with pytest.raises(OSError):  # the consumer retries the record later: nothing is stored minimal
            await asyncio.wait_for(writer.write("bondline.repair", rec, None, "boom", 1), 30)
    finally:
        await engine.dispose()


async def test_the_writer_fits_what_the_envelope_let_through(db_url, monkeypatch):
    """Defence in depth: an event id or type too long for its column, a reason with NUL and a lone
    surrogate, a topic name of 249 characters (Kafka's longest) still make a row."""
    rt = runtime("repair", db_url, monkeypatch)
    rec = FakeBroker().append("t" * 249, b"k", b"v")
    long = CloudEvent(type="com." + "t" * 300, source="/s", subject="u", data={}, id="i" * 150)
    writer = DeadLetterWriter(rt.sessions, dead_letters, DLQ, None)
    await writer.write("bondline.repair", rec, long, "bad \x00 \udcff reason", 5)
    [row] = await rows(rt)
    assert (len(row.event_id), len(row.event_type), len(row.topic)) == (100, 200, 200)
    assert row.event_id.startswith("i" * 80) and row.reason == "bad \\x00 \\udcff reason"
    await rt.dispose()


class StaleProducer(FakeProducer):
    """Works once, then fails like a producer whose broker restarted empty under it."""

    sent = 0

    async def send(self, topic: str, value: bytes | None = None, key: bytes | None = None,
                   headers: Headers | None = None) -> asyncio.Future[Any]:
        self.sent += 1
        if self.sent > 1:
            raise ConnectionError("unknown topic or partition: the broker restarted")
        return await super().send(topic, value, key, headers)


async def test_after_a_broker_restart_the_topic_is_prepared_again_and_the_copy_sent(db_url, monkeypatch):
    rt, broker, prepared = runtime("repair", db_url, monkeypatch), FakeBroker(), []

    async def prepare() -> None:  # the runtime's: create the dead-letter topic if the broker lost it
        prepared.append(1)

    writer = DeadLetterWriter(rt.sessions, dead_letters, DLQ, lambda: StaleProducer(broker), prepare=prepare)
    for i in range(2):
        await writer.write("bondline.repair", broker.append(INTAKE_EVENTS, b"k", b"{bad %d" % i), None, "bad", 1)
    assert [r.sent_to_topic for r in await rows(rt)] == [True, True]
    assert len(broker.topics[DLQ]) == 2 and len(prepared) == 2
    await rt.dispose()


async def test_copies_the_broker_missed_are_sent_once_it_is_back(db_url, monkeypatch):
    rt, broker = runtime("repair", db_url, monkeypatch), FakeBroker()
    writer = DeadLetterWriter(rt.sessions, dead_letters, DLQ, broker.producer)
    broker.fail_sends = 2  # the broker is away: both copies fail
    for i in range(2):
        await writer.write("bondline.repair", broker.append(INTAKE_EVENTS, b"k", b"\x00bad %d" % i), None, "bad", 1)
    assert [r.sent_to_topic for r in await rows(rt)] == [False, False] and DLQ not in broker.topics
    assert await writer.resend_unsent() == 2
    assert [r.sent_to_topic for r in await rows(rt)] == [True, True]
    assert [r.value for r in broker.topics[DLQ]] == [b"\x00bad 0", b"\x00bad 1"]  # the original bytes
    assert await writer.resend_unsent() == 0
    await rt.dispose()
