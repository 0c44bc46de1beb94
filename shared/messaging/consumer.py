"""The consumer loop: inbox-guarded handlers, offsets committed after the DB commit, dead letters."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table

from shared import logcontext
from shared.contract.envelope import CloudEvent, EnvelopeError
from shared.contract.registry import REGISTRY, Payload, SchemaViolation, UnknownEventType
from shared.messaging import tracing
from shared.messaging.backoff import Backoff
from shared.messaging.dead_letters import DeadLetterWriter
from shared.messaging.inbox import claim, claim_many
from shared.messaging.metrics import MessagingMetrics
from shared.messaging.peers import PeerUnavailable
from shared.messaging.recovery import GapRecovery

log = logging.getLogger("bondline.consumer")
Handler = Callable[[Any, Payload, CloudEvent], Awaitable[None]]
PrepareBatch = Callable[[Any, list[CloudEvent]], Awaitable[None]]
"""``prepare(uow, events)``: the batch path is about to apply ``events`` in ``uow``'s transaction: read what their
handlers will need in a few statements, and have writes held in memory flushed at commit (``uow.before_commit``)."""
LAG_EVERY_S = 2.0


class _Gap(Exception):
    """A batch holds a unit's event past a gap: the batch is applied one by one, with recovery."""


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
                 prepare: Callable[[], Awaitable[None]] | None = None,
                 recovery: GapRecovery | None = None, prepare_batch: PrepareBatch | None = None) -> None:
        self.name, self.topics, self._handlers = name, topics, handlers
        self._prepare_batch = prepare_batch
        self._uow_factory, self._inbox, self._dead = uow_factory, inbox, dead_letters
        self._make_consumer, self._metrics = make_consumer, metrics
        self._opt, self._prepare = options or ConsumerOptions(), prepare
        self._recovery = recovery
        self._seq = recovery.store if recovery is not None else None
        self._consumer: Any = None
        self.joined = False  # the group has given this consumer its partitions (possibly none)
        self._next_check = 0.0
        self._next_lag = 0.0
        self._lag_series: set[tuple[str, int]] = set()  # the (topic, partition) lag gauges this consumer set

    def on_partitions_revoked(self, revoked: Any) -> None:  # aiokafka rebalance listener
        self.joined = False
        for tp in revoked:  # another member reports them now
            with contextlib.suppress(KeyError):
                self._metrics.lag.remove(self.name, tp.topic, str(tp.partition))

    def on_partitions_assigned(self, assigned: Any) -> None:
        self.joined = True

    async def run(self, stop: asyncio.Event) -> None:
        backoff, failures = Backoff(), 0
        while not stop.is_set():
            await self._periodic_checks()
            try:
                await self.poll_once()
                backoff.reset()
                failures = 0
            except asyncio.CancelledError:
                raise
            except PeerUnavailable as exc:  # the broker is fine: the record waits for its producer's answer
                log.warning("consumer %s waits for a producer to fill a gap: %s", self.name, exc)
            except Exception as exc:  # noqa: BLE001 - logged, retried; the client is rebuilt if it persists
                failures += 1
                log.warning("consumer %s failed (%d in a row): %r", self.name, failures, exc)
                if failures % self._opt.rebuild_after_failures == 0:
                    await self._drop_consumer()
            else:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), backoff.next_delay())
        await self._drop_consumer()
        await self._dead.close()
        if self._recovery is not None:
            await self._recovery.close()

    async def _periodic_checks(self) -> None:
        """Every gap-check interval: producers' high-water marks, and dead-letter copies still unsent."""
        now = asyncio.get_running_loop().time()
        if now < self._next_check:
            return
        self._next_check = now + (self._recovery.options.interval_s if self._recovery else 10.0)
        try:
            if self._recovery is not None:
                await self._recovery.check_high_water(self.process)
            await self._dead.resend_unsent()
        except Exception as exc:  # noqa: BLE001 - asked again next time
            log.warning("%s: periodic check failed: %r", self.name, exc)

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
        await self._note_lag(consumer)
        return count

    async def _note_lag(self, consumer: Any) -> None:
        """Each assigned partition's end minus this consumer's position, at most every LAG_EVERY_S."""
        now = asyncio.get_running_loop().time()
        if now < self._next_lag:
            return
        self._next_lag = now + LAG_EVERY_S
        assigned = set(consumer.assignment())
        for topic, partition in self._lag_series - {(tp.topic, tp.partition) for tp in assigned}:
            # moved to another instance in a rebalance: its lag is that instance's now (summing would count it twice)
            self._metrics.lag.remove(self.name, topic, str(partition))
            self._lag_series.discard((topic, partition))
        for tp in assigned:
            end = consumer.highwater(tp)
            if end is None:  # nothing fetched from it yet
                continue
            position = await asyncio.wait_for(consumer.position(tp), self._opt.op_timeout_s)
            self._metrics.lag.labels(self.name, tp.topic, str(tp.partition)).set(max(0, end - position))
            self._lag_series.add((tp.topic, tp.partition))

    async def _commit(self, consumer: Any, offsets: dict[Any, int]) -> None:
        """One offset commit for every partition handled in a poll, after their database commits."""
        if offsets:
            await asyncio.wait_for(consumer.commit(offsets), self._opt.op_timeout_s)

    async def apply_together(self, records: list[Any]) -> bool:
        """Fast path under load: a partition's well-formed events in one transaction, in order.

        False, with nothing applied, if any record is malformed, any handler fails, or a unit's
        sequence has a gap: the caller then takes the record-by-record path, with its retries,
        dead letters and gap recovery.
        """
        parsed: list[tuple[CloudEvent, Any, Any]] = []
        for rec in records:
            try:
                event = CloudEvent.from_kafka(list(rec.headers or []), rec.value)
                handler = self._handlers.get(event.type)
                if handler is None:
                    REGISTRY.spec_for_type(event.type)
                    parsed.append((event, None, None))
                    continue
                parsed.append((event, REGISTRY.parse(event), handler))
            except Exception:  # noqa: BLE001 - malformed in any way: the one-by-one path dead-letters it
                return False
        try:
            async with self._uow_factory() as uow:
                fresh = await self._apply_in_order(uow, parsed)
                await uow.commit()
        except Exception as exc:  # noqa: BLE001 - nothing was committed; retried one by one
            log.info("%s: batch of %d fell back to one by one: %r", self.name, len(parsed), exc)
            return False
        for event in fresh:
            self._metrics.consumed.labels(self.name, event.type).inc()
        return True

    async def _apply_in_order(self, uow: Any, parsed: list[tuple[CloudEvent, Any, Any]]) -> list[CloudEvent]:
        seq = self._seq
        marks: dict[tuple[str, str], int] = {}
        seen = await seq.last_seen(uow.session, [_pair(e) for e, _, _ in parsed if self._tracking(e)]) \
            if seq is not None else {}
        handled = [e for e, _, h in parsed if h is not None]
        unclaimed = await claim_many(uow.session, self._inbox, self.name, handled)  # one statement for the batch
        if self._prepare_batch is not None:
            await self._prepare_batch(uow, [e for e in handled if e.id in unclaimed])
        fresh = []
        for event, payload, handler in parsed:
            if tracked := self._tracking(event):
                _, n = tracked
                pair = _pair(event)
                last = marks.get(pair, seen.get(pair, 0))
                if n > last + 1:
                    raise _Gap(f"{event.subject} from {event.source}: has {last}, got {n}")
                if n == last + 1:
                    marks[pair] = n
            if handler is None:
                continue
            if event.id not in unclaimed:
                self._metrics.duplicates.labels(self.name).inc()
                continue
            unclaimed.discard(event.id)  # a second copy in this batch is a duplicate
            with logcontext.bound(unit_id=event.subject, event_id=event.id, event_type=event.type), \
                    tracing.consuming(event, self.name):
                uow.actor = f"event:{event.source}"
                await handler(uow, payload, event)
            fresh.append(event)
        if seq is not None:
            await seq.advance(uow.session, marks)
        return fresh

    def _tracking(self, event: CloudEvent) -> tuple[GapRecovery, int] | None:
        """The gap recovery and the event's ce_sequence when this consumer follows the sequence of the
        event's unit at its producer; None when it does not (no recovery, no sequence, no subject)."""
        recovery = self._recovery
        if recovery is None or event.sequence is None or event.subject == "" or not recovery.covers(event.source):
            return None
        return recovery, event.sequence

    async def _apply(self, uow: Any, event: CloudEvent, payload: Payload, handler: Handler) -> bool:
        uow.actor = f"event:{event.source}"
        if tracked := self._tracking(event):
            recovery, n = tracked
            await recovery.store.advance(uow.session, {_pair(event): n})
        if not await claim(uow.session, self._inbox, self.name, event):
            self._metrics.duplicates.labels(self.name).inc()
            return False
        await handler(uow, payload, event)
        return True

    async def process(self, rec: Any) -> str:
        """Handle one Kafka record; returns handled, duplicate, ignored or dead_lettered."""
        try:
            event = CloudEvent.from_kafka(list(rec.headers or []), rec.value)
        except Exception as exc:  # noqa: BLE001 - pure parsing: whatever it raises, the record is malformed
            reason = str(exc) if isinstance(exc, EnvelopeError) else f"record does not parse: {exc!r}"
            await self._dead_letter(rec, None, reason, 1)
            return "dead_lettered"
        with logcontext.bound(unit_id=event.subject, event_id=event.id, event_type=event.type), \
                tracing.consuming(event, self.name):
            return await self._process(rec, event)

    async def _process(self, rec: Any, event: CloudEvent) -> str:
        if tracked := self._tracking(event):
            recovery, n = tracked
            last = await self._last_seen(recovery, event)
            # n <= last: a redelivery (the inbox drops it), or a producer whose counters went back (a
            # restored database): applied through the inbox like any event, never skipped on its number
            if n > last + 1:  # events in between are missing: fetch and apply them first
                own = await recovery.fill(self.process, event.source, event.subject, last, n, "next_event")
                if own is not None and dict(own.headers).get("ce_id", b"").decode() != event.id:
                    await self._dead_letter(rec, None, f"ce_sequence {n} of {event.subject} is "
                                            f"another event in {event.source}'s outbox: not its producer's", 1)
                    return "dead_lettered"
        return await self._consume(rec, event)

    async def _consume(self, rec: Any, event: CloudEvent) -> str:
        try:
            handler = self._handlers.get(event.type)
            if handler is None:
                REGISTRY.spec_for_type(event.type)  # unknown types are dead-lettered, others ignored
                await self._advance_only(event)
                return "ignored"
            payload = REGISTRY.parse(event)
        except (UnknownEventType, SchemaViolation) as exc:
            await self._dead_letter(rec, event, str(exc), 1)
            return "dead_lettered"
        except Exception as exc:  # noqa: BLE001 - a payload the registry cannot even read is malformed too
            await self._dead_letter(rec, event, f"payload does not parse: {exc!r}", 1)
            return "dead_lettered"
        return await self._handle_with_retries(rec, event, payload, handler)

    async def _last_seen(self, recovery: GapRecovery, event: CloudEvent) -> int:
        async with self._uow_factory() as uow:
            seen = await recovery.store.last_seen(uow.session, [_pair(event)])
        return seen.get(_pair(event), 0)

    async def _advance_only(self, event: CloudEvent) -> None:
        """An event this consumer does not handle (or dead-lettered) still counts in its unit's sequence."""
        if tracked := self._tracking(event):
            recovery, n = tracked
            async with self._uow_factory() as uow:
                await recovery.store.advance(uow.session, {_pair(event): n})
                await uow.commit()

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
        if event is not None:
            await self._advance_only(event)

    async def _ensure_consumer(self) -> Any:
        if self._consumer is None:
            if self._prepare is not None:
                await self._prepare()
            consumer = self._make_consumer()
            self.joined = False
            try:
                await asyncio.wait_for(consumer.start(), self._opt.op_timeout_s + 10)
            except BaseException:
                await _stop(consumer)
                raise
            self._consumer = consumer
        return self._consumer

    async def _drop_consumer(self) -> None:
        consumer, self._consumer = self._consumer, None
        self.joined = False
        if consumer is not None:
            self._metrics.client_rebuilds.labels("consumer").inc()
            await _stop(consumer)


def _pair(event: CloudEvent) -> tuple[str, str]:
    return event.source, event.subject


async def _stop(client: Any) -> None:
    try:
        await asyncio.wait_for(client.stop(), 10)
    except Exception as exc:  # noqa: BLE001 - a hung client must not block the rebuild
        log.debug("consumer stop failed: %r", exc)
