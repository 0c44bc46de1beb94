#!/usr/bin/env python3
"""Example partner consumer: print one unit's journey through bondline from its published events.

    python deploy/partner/example_consumer.py --bootstrap 127.0.0.1:9092 --unit <unit id> \
        [--owner <owner id>] [--max-seconds N] [--group <consumer group>]

Standalone on purpose: it needs only aiokafka and the standard library, like a partner's own system.
It reads the three bondline topics in its own consumer group from the earliest retained offset, checks
each record's CloudEvents binary-mode headers (records without them, or not JSON, are refused with a
warning on stderr), and prints one line per event of the unit: time, type, key facts. Events from the
three topics are merged in ``ce_time`` order (a short hold window absorbs fetch interleaving);
duplicates (at-least-once delivery) are dropped by ``ce_id``. Offsets are committed only after the
events they cover were printed. It exits after --max-seconds, or once the unit has been delivered.
A new --group name reads everything the broker retains again.
"""
from __future__ import annotations

import argparse
import asyncio
import heapq
import json
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

TOPICS = ("bondline.intake.events", "bondline.repair.events", "bondline.dispatch.events")
REQUIRED = ("ce_id", "ce_source", "ce_type", "ce_specversion", "ce_time", "ce_subject")
DELIVERED = "com.bondline.dispatch.item.delivered."
FACTS = ("serial_number", "part_number", "declaration_id", "inspection_selected", "method", "result",
         "resolution", "reason", "return_mode", "custody_location", "work_order_id", "action", "from_state",
         "to_state", "failure_codes", "findings", "repair_fee", "approval_required", "decision", "passed",
         "outcome", "old_part_id", "route", "destination", "destination_country", "supervision_mode",
         "previous_owner_id", "shipment")


@dataclass(order=True)
class Event:
    order: tuple[datetime, str, int, int]  # ce_time, then the record's place in the log
    time: str = field(compare=False)
    tp: TopicPartition = field(compare=False)
    offset: int = field(compare=False)
    type: str = field(compare=False)
    data: dict[str, Any] = field(compare=False)
    arrived: float = field(compare=False)


def check_headers(headers: dict[str, str]) -> str | None:
    """Why a record is not a bondline CloudEvent in binary mode, or None when it is."""
    missing = [h for h in REQUIRED if not headers.get(h)]
    if missing:
        return f"missing CloudEvents headers {', '.join(missing)}"
    if headers["ce_specversion"] != "1.0":
        return f"unsupported ce_specversion {headers['ce_specversion']!r}"
    if not headers.get("content-type", "").startswith("application/json"):
        return f"content-type {headers.get('content-type')!r} is not application/json"
    if parse_time(headers["ce_time"]) is None:
        return f"ce_time {headers['ce_time']!r} is not RFC 3339 with an offset"
    return None


def parse_time(raw: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _money(m: Any) -> str:
    return f"{m.get('amount')} {m.get('currency')}" if isinstance(m, dict) else str(m)


def facts(data: dict[str, Any]) -> str:
    out = []
    for name in FACTS:
        value = data.get(name)
        if value in (None, "", [], {}):
            continue
        if name == "shipment":
            value = f"{value.get('carrier')} {value.get('tracking_number')} to {value.get('destination_country')}"
        elif name == "repair_fee":
            value = _money(value)
        elif isinstance(value, list):
            value = ",".join(map(str, value))
        if " " in str(value):
            value = json.dumps(str(value), ensure_ascii=False)
        out.append(f"{name}={value}")
    return " ".join(out)


class Journey:
    def __init__(self, unit: str, owner: str | None, hold: float) -> None:
        self.unit, self.owner, self.hold = unit, owner, hold
        self.pending: list[Event] = []
        self.next_offset: dict[TopicPartition, int] = {}
        self.seen_ids: set[str] = set()
        self.printed = 0
        self.delivered = False

    def take(self, tp: TopicPartition, record: Any) -> None:
        self.next_offset[tp] = record.offset + 1
        try:
            headers = {k: (v or b"").decode() for k, v in record.headers or ()}
        except UnicodeDecodeError:
            headers = {}
        problem = check_headers(headers)
        if problem is None:
            try:
                data = json.loads(record.value)
                problem = None if isinstance(data, dict) else "value is not a JSON object"
            except (TypeError, ValueError) as exc:
                problem = f"value is not JSON: {exc}"
        if problem:
            print(f"warning: refused {tp.topic}[{tp.partition}]@{record.offset}: {problem}", file=sys.stderr,
                  flush=True)
            return
        if headers["ce_subject"] != self.unit or headers["ce_id"] in self.seen_ids:
            return
        if self.owner and "owner_id" in data and self.owner not in (data["owner_id"], data.get("previous_owner_id")):
            return
        self.seen_ids.add(headers["ce_id"])
        at = parse_time(headers["ce_time"])
        assert at is not None  # checked with the headers
        heapq.heappush(self.pending, Event((at, tp.topic, tp.partition, record.offset), headers["ce_time"], tp,
                                           record.offset, headers["ce_type"], data, time.monotonic()))

    def flush(self, everything: bool = False) -> None:
        """Print held events in time order once they have waited out the hold window."""
        now = time.monotonic()
        while self.pending and (everything or now - self.pending[0].arrived >= self.hold):
            e = heapq.heappop(self.pending)
            print(f"{e.time}  {e.type}  {facts(e.data)}".rstrip(), flush=True)
            self.printed += 1
            if e.type.startswith(DELIVERED) and e.data.get("item_id") == self.unit:
                self.delivered = True

    def committable(self) -> dict[TopicPartition, int]:
        """Per partition: everything before the first event still held has been handled."""
        offsets = dict(self.next_offset)
        for e in self.pending:
            offsets[e.tp] = min(offsets[e.tp], e.offset)
        return offsets


async def run(args: argparse.Namespace) -> int:
    consumer = AIOKafkaConsumer(
        *TOPICS, bootstrap_servers=args.bootstrap, group_id=args.group, auto_offset_reset="earliest",
        enable_auto_commit=False, fetch_max_wait_ms=100, session_timeout_ms=10000, client_id="partner-example")
    deadline = time.monotonic() + args.max_seconds
    journey = Journey(args.unit, args.owner, args.hold_seconds)
    committed: dict[TopicPartition, int] = {}
    await asyncio.wait_for(consumer.start(), max(1.0, args.max_seconds))
    try:
        while time.monotonic() < deadline and not journey.delivered:
            batches = await consumer.getmany(timeout_ms=200, max_records=500)
            for tp, records in batches.items():
                for record in records:
                    journey.take(tp, record)
            journey.flush()
            committed = await _commit(consumer, journey, committed)
        journey.flush(everything=True)
        await _commit(consumer, journey, committed)
    finally:
        try:
            await asyncio.wait_for(consumer.stop(), 10)
        except TimeoutError:
            print("warning: consumer did not stop within 10 s", file=sys.stderr)
    print(f"# {journey.printed} events of unit {args.unit}"
          + ("; delivered" if journey.delivered else ""), flush=True)
    return 0


async def _commit(consumer: AIOKafkaConsumer, journey: Journey,
                  committed: dict[TopicPartition, int]) -> dict[TopicPartition, int]:
    mine = consumer.assignment()  # after a rebalance, only partitions still assigned can be committed
    offsets = {tp: o for tp, o in journey.committable().items() if tp in mine and committed.get(tp) != o}
    if not offsets:
        return committed
    try:
        await asyncio.wait_for(consumer.commit(offsets), 10)
    except Exception as exc:  # noqa: BLE001  the next loop commits again; a partner would log and alert
        print(f"warning: commit failed: {exc!r}", file=sys.stderr, flush=True)
        return committed
    return {**committed, **offsets}


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bootstrap", default="127.0.0.1:9092", help="Kafka bootstrap servers")
    p.add_argument("--unit", required=True, help="the unit id whose journey to print")
    p.add_argument("--owner", help="only events of this owner's unit (owner_id, or previous_owner_id)")
    p.add_argument("--max-seconds", type=float, default=60.0, help="stop after this long (default 60)")
    p.add_argument("--group", default="bondline-partner-example",
                   help="consumer group; a new name reads everything the broker retains again")
    p.add_argument("--hold-seconds", type=float, default=1.0,
                   help="hold events this long to merge the three topics in time order (default 1)")
    return p.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(run(parse(sys.argv[1:]))))
