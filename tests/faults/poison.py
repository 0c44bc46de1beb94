"""Hostile records onto bondline.intake.events, each one onto every partition (so every unit's partition meets it).

A consumer must dead-letter each and keep going; none may wedge a partition or reach a handler as a real event.
"""
from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime, timezone

from aiokafka import AIOKafkaProducer

from shared.contract.topics import INTAKE_EVENTS

RELEASED = b"com.bondline.intake.unit.released_to_repair.v1"
Headers = list[tuple[str, bytes]]


def _payload(unit_id: str) -> dict:
    """A payload that passes the schema: only the part the record is named after is hostile."""
    return {"unit_id": unit_id, "owner_id": "poison-owner", "serial_number": "POISON", "part_number": "POISON",
            "hs_code": "8486909000", "origin": "foreign", "declared_value": {"amount": "1.00", "currency": "USD"},
            "released_at": datetime.now(timezone.utc).isoformat()}


def _headers(ce_id: bytes, subject: bytes = b"poison-unit", ce_type: bytes = RELEASED) -> Headers:
    return [("ce_id", ce_id), ("ce_source", b"/bondline/intake"), ("ce_type", ce_type), ("ce_specversion", b"1.0"),
            ("ce_time", datetime.now(timezone.utc).isoformat().encode()), ("ce_subject", subject),
            ("content-type", b"application/json")]


def records() -> dict[str, tuple[Headers, bytes]]:
    """name -> (headers, value); every id is fresh so no record is skipped as an inbox duplicate."""
    n = lambda: uuid.uuid4().hex[:8].encode()  # noqa: E731
    ok = lambda u: json.dumps(_payload(u)).encode()  # noqa: E731
    return {
        "NUL bytes": (_headers(b"poison-\x00-" + n(), b"poison\x00unit"), ok("poison\u0000unit")),
        "invalid UTF-8 value": (_headers(b"poison-utf8-" + n()), b'{"unit_id": "\xff\xfe\xfa"}'),
        "invalid UTF-8 header": (_headers(b"poison-\xff\xfe-" + n(), b"\xc3\x28", b"com.bondline.\xff.v1"),
                                 ok("poison-utf8-header")),
        "10 kB ce_id": (_headers(b"p" * 10_240), ok("poison-long-id")),
        "1 MiB value": (_headers(b"poison-big-" + n()), json.dumps({"pad": "x" * (1 << 20)}).encode()),
        "schema violation": (_headers(b"poison-schema-" + n()), b'{"unit_id": 5, "owner_id": null}'),
    }


async def produce(bootstrap: str) -> list[str]:
    """Send every hostile record to every partition; what the broker refused, if anything."""
    refused: list[str] = []
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", max_request_size=4 << 20)
    await producer.start()
    try:
        partitions = sorted(await producer.partitions_for(INTAKE_EVENTS))
        for name, (headers, value) in records().items():
            for p in partitions:
                try:
                    await producer.send_and_wait(INTAKE_EVENTS, value, key=b"poison-unit", headers=headers,
                                                 partition=p)
                except Exception as exc:  # noqa: BLE001 - a broker that refuses a record is reported, not fatal
                    refused.append(f"{name} p{p}: {type(exc).__name__}")
    finally:
        await producer.stop()
    return refused


def inject(bootstrap: str) -> list[str]:
    return asyncio.run(produce(bootstrap))
