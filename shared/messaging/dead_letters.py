"""The dead-letter path: a row in the consumer's table and a copy on its dead-letter topic.

Neither may fail on what a record holds, or its partition would never move on: key, value and header
values are stored as text when they all are text a database takes (UTF-8 without NUL), else as base64
(the ``encoding`` column says which; ``original`` turns a row back into the record's bytes). Strings
that could overflow a column are cut and end in a hash. If the database still refuses the row, a
minimal one (the reason and the record in base64) is stored instead; only an unreachable database
raises, and the consumer then reads the record again. The topic copy leaves out what does not fit in
one produce request, and says so in its ``dlq_*_omitted`` headers.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from types import SimpleNamespace
from typing import Any

from aiokafka.errors import MessageSizeTooLargeError
from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import utc_now
from shared.contract.envelope import CloudEvent

log = logging.getLogger("bondline.deadletter")
TEXT, BASE64 = "utf-8", "base64"
MAX_REQUEST_SIZE = 1_048_576  # aiokafka's default max_request_size: the largest record it will send
HEADROOM = 16_384             # the record batch's own bytes, and estimates that are a little short
Headers = list[tuple[str, bytes | None]]


class DeadLetterWriter:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], table: Table, topic: str,
                 make_producer: Callable[[], Any] | None, timeout_s: float = 10.0,
                 prepare: Callable[[], Awaitable[None]] | None = None,
                 max_request_size: int = MAX_REQUEST_SIZE) -> None:
        self._sessions, self._t, self.topic = sessions, table, topic
        self._make_producer, self._timeout = make_producer, timeout_s
        self._producer: Any = None  # an AIOKafkaProducer (untyped) once a copy is sent
        self._prepare, self._max_bytes = prepare, max_request_size - HEADROOM

    async def write(self, consumer: str, rec: Any, event: CloudEvent | None, reason: str,
                    attempts: int) -> int:
        row_id = await self._store(consumer, rec, event, reason, attempts)
        if await self._send(rec, reason, row_id):
            async with self._sessions() as s, s.begin():
                await s.execute(update(self._t).where(self._t.c.id == row_id).values(sent_to_topic=True))
        return row_id

    async def resend_unsent(self, limit: int = 100) -> int:
        """Topic copies that did not go out (the broker was away): sent now, oldest first; the count sent."""
        if self._make_producer is None:
            return 0
        t = self._t
        async with self._sessions() as s:
            rows = (await s.execute(select(t).where(t.c.sent_to_topic.is_(False)).order_by(t.c.id)
                                    .limit(limit))).mappings().all()
        sent = 0
        for row in rows:
            key, value, headers = original(row)
            rec = SimpleNamespace(topic=row["topic"], partition=row["partition"], offset=row["offset"],
                                  key=key, value=value, headers=headers)
            if not await self._send(rec, row["reason"], row["id"]):
                break
            async with self._sessions() as s, s.begin():
                await s.execute(update(t).where(t.c.id == row["id"]).values(sent_to_topic=True))
            sent += 1
        if sent:
            log.info("dead-letter topic %s: %d earlier copies sent", self.topic, sent)
        return sent

    async def _store(self, consumer: str, rec: Any, event: CloudEvent | None, reason: str, attempts: int) -> int:
        try:
            return await self._insert(_row(consumer, rec, reason, attempts, stored(rec), event))
        except Exception as exc:
            if _unreachable(exc):
                raise
            log.error("dead-letter row for %s@%s/%s refused, storing it minimal: %r",
                      rec.topic, rec.partition, rec.offset, exc)
            note = f"{reason[:3000]} | the dead-letter row could not be stored as is, so it is minimal: {exc!r:.500}"
            return await self._insert(_row(consumer, rec, note, attempts, _encoded(rec, as_text=False)))

    async def _insert(self, values: dict[str, Any]) -> int:
        async with self._sessions() as s, s.begin():
            return (await s.execute(insert(self._t).values(**values).returning(self._t.c.id))).scalar_one()

    async def _send(self, rec: Any, reason: str, row_id: int) -> bool:
        if self._make_producer is None:
            return False
        meta = _meta(rec, reason, row_id)
        copy, fresh = topic_copy(rec, meta, self._max_bytes), self._producer is None
        for _ in range(2):
            try:
                await self._send_copy(*copy)
                return True
            except MessageSizeTooLargeError:  # the broker's limit is lower than the producer's
                copy = topic_copy(rec, meta, 0)
            except Exception as exc:  # noqa: BLE001 - the table row is the record; the topic copy is best effort
                log.warning("dead-letter topic %s not reached: %r", self.topic, exc)
                await self.close()
                if fresh:
                    return False
                fresh = True  # a stale producer (the broker restarted?): once more, topics prepared again
        return False

    async def _send_copy(self, key: bytes | None, value: bytes | None, headers: Headers) -> None:
        if self._producer is None:
            if self._prepare is not None:
                await self._prepare()
            assert self._make_producer is not None  # _send sends no copy without a producer factory
            producer = self._make_producer()
            self._producer = producer
            await asyncio.wait_for(producer.start(), self._timeout)
        await asyncio.wait_for(self._producer.send_and_wait(
            self.topic, value=b"" if key is None and value is None else value, key=key, headers=headers),
            self._timeout)

    async def close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await asyncio.wait_for(producer.stop(), 5)
            except Exception:  # noqa: BLE001
                log.debug("dead-letter producer stop failed")


def stored(rec: Any) -> dict[str, Any]:
    """The key, value, headers and encoding columns of a record's row."""
    raw = [rec.key, rec.value, *(v for _, v in rec.headers or [])]
    return _encoded(rec, as_text=all(b is None or (b"\x00" not in b and _is_utf8(b)) for b in raw))


def original(row: Mapping[Any, Any]) -> tuple[bytes | None, bytes | None, Headers]:
    """A dead-letter row back to the record's key, value and headers, byte for byte."""
    enc = row["encoding"]
    return _decode(row["key"], enc), _decode(row["value"], enc), [(k, _decode(v, enc)) for k, v in row["headers"]]


def topic_copy(rec: Any, meta: Headers, max_bytes: int) -> tuple[bytes | None, bytes | None, Headers]:
    """The record as sent to the dead-letter topic: its value, then its headers, then its key are left
    out (``dlq_<part>_omitted: <bytes>``) until it fits in ``max_bytes``."""
    parts: dict[str, Any] = {"value": rec.value, "headers": list(rec.headers or []), "key": rec.key}
    notes: Headers = []
    for name in ("value", "headers", "key"):
        if _size(parts["key"], parts["value"], parts["headers"] + meta + notes) <= max_bytes:
            break
        size = sum(len(k) + len(v or b"") for k, v in parts[name]) if name == "headers" else len(parts[name] or b"")
        notes.append((f"dlq_{name}_omitted", str(size).encode()))
        parts[name] = [] if name == "headers" else None
    return parts["key"], parts["value"], parts["headers"] + meta + notes


def _meta(rec: Any, reason: str, row_id: int) -> Headers:
    return [("dlq_reason", _clean(reason)[:1000].encode()), ("dlq_topic", rec.topic.encode()),
            ("dlq_partition", str(rec.partition).encode()), ("dlq_offset", str(rec.offset).encode()),
            ("dlq_row_id", str(row_id).encode())]


def _row(consumer: str, rec: Any, reason: str, attempts: int, encoded: dict[str, Any],
         event: CloudEvent | None = None) -> dict[str, Any]:
    return {"consumer": _fit(consumer, 100), "topic": _fit(rec.topic, 200), "partition": rec.partition,
            "offset": rec.offset, **encoded, "event_id": _fit(event.id, 100) if event else None,
            "event_type": _fit(event.type, 200) if event else None, "reason": _clean(reason)[:4000],
            "attempts": attempts, "failed_at": utc_now()}


def _encoded(rec: Any, as_text: bool) -> dict[str, Any]:
    return {"key": _encode(rec.key, as_text), "value": _encode(rec.value, as_text),
            "headers": [[k, _encode(v, as_text)] for k, v in rec.headers or []],
            "encoding": TEXT if as_text else BASE64}


def _unreachable(exc: BaseException) -> bool:
    """The database is down, busy or the connection broke: the row may go in later, as it is."""
    return (isinstance(exc, (OSError, OperationalError, InterfaceError, PoolTimeout))
            or (isinstance(exc, DBAPIError) and exc.connection_invalidated))


def _size(key: bytes | None, value: bytes | None, headers: Headers) -> int:
    """About what aiokafka counts against max_request_size for one record."""
    return 64 + len(key or b"") + len(value or b"") + sum(len(k.encode()) + len(v or b"") + 8 for k, v in headers)


def _fit(text: str, limit: int) -> str:
    text = _clean(text)
    if len(text) <= limit:
        return text
    return text[:limit - 17] + "~" + hashlib.sha256(text.encode()).hexdigest()[:16]


def _clean(text: str) -> str:
    """Text any database takes: no NUL, no lone surrogates."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def _is_utf8(b: bytes) -> bool:
    try:
        b.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _encode(b: bytes | None, as_text: bool) -> str | None:
    return None if b is None else b.decode("utf-8") if as_text else base64.b64encode(b).decode("ascii")


def _decode(s: str | None, encoding: str) -> bytes | None:
    return None if s is None else base64.b64decode(s) if encoding == BASE64 else s.encode("utf-8")
