"""The dead-letter path: a row in the consumer's table and a copy on its dead-letter topic."""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any, Callable

from sqlalchemy import Table, insert, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contract.envelope import CloudEvent

log = logging.getLogger("bondline.deadletter")


class DeadLetterWriter:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], table: Table, topic: str,
                 make_producer: Callable[[], Any] | None, timeout_s: float = 10.0) -> None:
        self._sessions, self._t, self.topic = sessions, table, topic
        self._make_producer, self._timeout, self._producer = make_producer, timeout_s, None

    async def write(self, consumer: str, rec: Any, event: CloudEvent | None, reason: str,
                    attempts: int) -> int:
        headers = [(k, (v or b"").decode("utf-8", "replace")) for k, v in (rec.headers or [])]
        value = rec.value.decode("utf-8", "replace") if rec.value is not None else None
        key = rec.key.decode("utf-8", "replace") if rec.key is not None else None
        async with self._sessions() as s, s.begin():
            row_id = (await s.execute(insert(self._t).values(
                consumer=consumer, topic=rec.topic, partition=rec.partition, offset=rec.offset,
                key=key, headers=headers, value=value, event_id=event.id if event else None,
                event_type=event.type if event else None, reason=reason[:4000], attempts=attempts,
                failed_at=datetime.now(timezone.utc)).returning(self._t.c.id))).scalar_one()
        if await self._send(rec, reason):
            async with self._sessions() as s, s.begin():
                await s.execute(update(self._t).where(self._t.c.id == row_id).values(sent_to_topic=True))
        return row_id

    async def _send(self, rec: Any, reason: str) -> bool:
        if self._make_producer is None:
            return False
        extra = [("dlq_reason", reason[:1000].encode()), ("dlq_topic", rec.topic.encode()),
                 ("dlq_partition", str(rec.partition).encode()), ("dlq_offset", str(rec.offset).encode())]
        try:
            if self._producer is None:
                producer = self._make_producer()
                await asyncio.wait_for(producer.start(), self._timeout)
                self._producer = producer
            await asyncio.wait_for(self._producer.send_and_wait(
                self.topic, value=rec.value, key=rec.key, headers=list(rec.headers or []) + extra),
                self._timeout)
            return True
        except Exception as exc:  # noqa: BLE001 - the table row is the record; the topic copy is best effort
            log.warning("dead-letter topic %s not reached: %r", self.topic, exc)
            await self.close()
            return False

    async def close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await asyncio.wait_for(producer.stop(), 5)
            except Exception:  # noqa: BLE001
                log.debug("dead-letter producer stop failed")
