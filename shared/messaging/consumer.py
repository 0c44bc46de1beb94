"""The consumer loop: inbox-guarded handlers, offsets committed after the DB commit, dead letters."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from sqlalchemy import Table

from shared.contract.envelope import CloudEvent, EnvelopeError
from shared.contract.registry import REGISTRY, Payload, SchemaViolation, UnknownEventType
from shared.messaging.backoff import Backoff
from shared.messaging.dead_letters import DeadLetterWriter
from shared.messaging.inbox import claim
from shared.messaging.metrics import MessagingMetrics

log = logging.getLogger("bondline.consumer")
Handler = Callable[[Any, Payload, CloudEvent], Awaitable[None]]


@dataclass
class ConsumerOptions:
    max_attempts: int = 5
    retry_base_s: float = 0.2
    poll_timeout_ms: int = 200
    max_records: int = 500
    op_timeout_s: float = 10.0
    rebuild_after_failures: int = 3


class EventConsumer:
    def __init__(self, name: str, topics: list[str], handlers: dict[str, Handler],
                 uow_factory: Callable[[], Any], inbox: Table, dead_letters: DeadLetterWriter,
                 make_consumer: Callable[[], Any], metrics: MessagingMetrics,
                 options: ConsumerOptions | None = None,
                 prepare: Callable[[], Awaitable[None]] | None = None) -> None:
        self.name, self.topics, self._handlers = name, topics, handlers
        self._uow_factory, self._inbox, self._dead = uow_factory, inbox, dead_letters
        self._make_consumer, self._metrics = make_consumer, metrics
        self._opt, self._prepare = options or ConsumerOptions(), prepare
        self._consumer: Any = None

    async def run(self, stop: asyncio.Event) -> None:
        backoff, failures = Backoff(), 0
        while not stop.is_set():
            try:
                await self.poll_once()
                backoff.reset()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - logged, retried; the client is rebuilt if it persists
                failures += 1
                log.warning("consumer %s failed (%d in a row): %r", self.name, failures, exc)
                if failures % self._opt.rebuild_after_failures == 0:
                    await self._drop_consumer()
                try:
                    await asyncio.wait_for(stop.wait(), backoff.next_delay())
                except asyncio.TimeoutError:
                    pass
        await self._drop_consumer()
        await self._dead.close()

    async def poll_once(self) -> int:
        consumer = await self._ensure_consumer()
        batch = await asyncio.wait_for(
            consumer.getmany(timeout_ms=self._opt.poll_timeout_ms, max_records=self._opt.max_records),
            self._opt.op_timeout_s)
        count, done = 0, {}
        try:
            for tp, records in batch.items():
                if not (len(records) > 1 and await self.apply_together(records)):
                    for rec in records:
                        try:
                            await self.process(rec)
                        except BaseException:
                            consumer.seek(tp, rec.offset)  # re-read it: nothing past a failure is skipped
                            raise
                count += len(records)
                done[tp] = records[-1].offset + 1
        except Exception:
            await self._commit(consumer, done)  # the partitions handled before the failure
            raise
        await self._commit(consumer, done)
        return count

    async def _commit(self, consumer: Any, offsets: dict[Any, int]) -> None:
        """One offset commit for every partition handled in a poll, after their database commits."""
        if offsets:
            await asyncio.wait_for(consumer.commit(offsets), self._opt.op_timeout_s)

    async def apply_together(self, records: list[Any]) -> bool:
        """Fast path under load: a partition's well-formed events in one transaction, in order.

        False, with nothing applied, if any record is malformed or any handler fails: the caller then
        takes the record-by-record path, with its retries and dead letters.
        """
        parsed = []
        for rec in records:
            try:
                event = CloudEvent.from_kafka(list(rec.headers or []), rec.value)
                handler = self._handlers.get(event.type)
                if handler is None:
                    REGISTRY.spec_for_type(event.type)
                    continue
                parsed.append((event, REGISTRY.parse(event), handler))
            except (EnvelopeError, UnknownEventType, SchemaViolation):
                return False
        try:
            async with self._uow_factory() as uow:
                fresh = [p for p in parsed if await self._apply(uow, *p)]
                await uow.commit()
        except Exception as exc:  # noqa: BLE001 - nothing was committed; retried one by one
            log.info("%s: batch of %d fell back to one by one: %r", self.name, len(parsed), exc)
            return False
        for event, _, _ in fresh:
            self._metrics.consumed.labels(self.name, event.type).inc()
        return True

    async def _apply(self, uow: Any, event: CloudEvent, payload: Payload, handler: Handler) -> bool:
        uow.actor = f"event:{event.source}"
        if not await claim(uow.session, self._inbox, self.name, event):
            self._metrics.duplicates.labels(self.name).inc()
            return False
        await handler(uow, payload, event)
        return True

    async def process(self, rec: Any) -> str:
        """Handle one Kafka record; returns handled, duplicate, ignored or dead_lettered."""
        try:
            event = CloudEvent.from_kafka(list(rec.headers or []), rec.value)
            handler = self._handlers.get(event.type)
            if handler is None:
                REGISTRY.spec_for_type(event.type)  # unknown types are dead-lettered, others ignored
                return "ignored"
            payload = REGISTRY.parse(event)
        except (EnvelopeError, UnknownEventType, SchemaViolation) as exc:
            await self._dead_letter(rec, None, str(exc), 1)
            return "dead_lettered"
        return await self._handle_with_retries(rec, event, payload, handler)

    async def _handle_with_retries(self, rec: Any, event: CloudEvent, payload: Payload,
                                   handler: Handler) -> str:
        backoff = Backoff(base=self._opt.retry_base_s)
        for attempt in range(1, self._opt.max_attempts + 1):
            try:
                with self._metrics.handle_seconds.labels(self.name).time():
                    return await self.handle(event, payload, handler)
            except Exception as exc:  # noqa: BLE001 - retried, then dead-lettered with the reason
                self._metrics.failed.labels(self.name).inc()
                log.warning("%s: %s %s attempt %d failed: %r", self.name, event.type, event.id, attempt, exc)
                last = exc
                if attempt < self._opt.max_attempts:
                    await asyncio.sleep(backoff.next_delay())
        await self._dead_letter(rec, event, f"handler failed {self._opt.max_attempts} times: {last!r}",
                                self._opt.max_attempts)
        return "dead_lettered"

    async def handle(self, event: CloudEvent, payload: Payload, handler: Handler) -> str:
        async with self._uow_factory() as uow:
            if not await self._apply(uow, event, payload, handler):
                return "duplicate"
            await uow.commit()
        self._metrics.consumed.labels(self.name, event.type).inc()
        return "handled"

    async def _dead_letter(self, rec: Any, event: CloudEvent | None, reason: str, attempts: int) -> None:
        log.error("%s: dead-lettering %s@%s/%s: %s", self.name, rec.topic, rec.partition, rec.offset, reason)
        await self._dead.write(self.name, rec, event, reason, attempts)
        self._metrics.dead_lettered.labels(self.name).inc()

    async def _ensure_consumer(self) -> Any:
        if self._consumer is None:
            if self._prepare is not None:
                await self._prepare()
            consumer = self._make_consumer()
            try:
                await asyncio.wait_for(consumer.start(), self._opt.op_timeout_s + 10)
            except BaseException:
                await _stop(consumer)
                raise
            self._consumer = consumer
        return self._consumer

    async def _drop_consumer(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            self._metrics.client_rebuilds.labels("consumer").inc()
            await _stop(consumer)


async def _stop(client: Any) -> None:
    try:
        await asyncio.wait_for(client.stop(), 10)
    except Exception as exc:  # noqa: BLE001 - a hung client must not block the rebuild
        log.debug("consumer stop failed: %r", exc)
