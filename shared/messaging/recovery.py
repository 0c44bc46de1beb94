"""Gap recovery: events a consumer should have had, fetched from their producer's outbox.

Two ways a gap shows: a unit's event n+2 arrives while the consumer has n (``next_event``), or a
producer's high-water mark for a unit is past what the consumer has and stays so beyond the grace
period (``high_water``: the lost tail, when nothing later comes). Either way the missing events are
fetched over HTTP and applied in order, through the consumer's own path (inbox, handlers, dead
letters), before anything later of that unit. What the producer no longer holds (past its outbox
retention) is recorded as lost, counted, logged and shown on /readyz, never skipped silently.
"""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from shared.clock import utc_now
from shared.messaging.metrics import MessagingMetrics
from shared.messaging.peers import FetchedEvent, PeerEvents
from shared.messaging.sequencing import SequenceStore

log = logging.getLogger("bondline.recovery")
Process = Callable[[Any], Awaitable[str]]


@dataclass
class RecoveredRecord:
    """A fetched event dressed as a Kafka record, so the consumer's own path handles it."""

    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]] = field(default_factory=list)
    partition: int = -1
    offset: int = -1


@dataclass(frozen=True)
class GapCheckOptions:
    interval_s: float = 10.0
    grace_s: float = 30.0
    pages_per_check: int = 5


class GapRecovery:
    def __init__(self, store: SequenceStore, peers: PeerEvents, topics: dict[str, str],
                 uow_factory: Callable[[], Any], metrics: MessagingMetrics,
                 options: GapCheckOptions | None = None) -> None:
        self.store, self._peers, self._topics = store, peers, topics
        self._uow_factory, self._metrics = uow_factory, metrics
        self.options = options or GapCheckOptions()

    def covers(self, source: str) -> bool:
        return self._peers.knows(source) and source in self._topics

    async def fill(self, process: Process, source: str, key: str, last: int, upto: int,
                   found_by: str) -> FetchedEvent | None:
        """Apply the key's events last < n < upto (fetched from the producer), in order.

        Returns the producer's own copy of event ``upto`` when it still holds it, so the caller can
        check that the record it holds is that event and not a stranger claiming its number.
        """
        fetched = await self._peers.between(source, [(key, last, upto + 1)])
        await self._apply(process, source, key, last, upto, fetched, found_by)
        return next((e for e in fetched if e.sequence == upto), None)

    async def check_high_water(self, process: Process) -> None:
        """Compare every producer's per-key high-water marks with what this consumer has applied."""
        for source in self._peers.sources:
            if self.covers(source):
                await self._check_source(process, source)

    async def _check_source(self, process: Process, source: str) -> None:
        before = utc_now() - timedelta(seconds=self.options.grace_s)
        async with self._uow_factory() as uow:
            after = await self.store.cursor(uow.session, source)
        for _ in range(self.options.pages_per_check):
            heads, next_after = await self._peers.high_water(source, after, before)
            if heads:
                await self._catch_up(process, source, heads)
            if next_after == after:
                return
            async with self._uow_factory() as uow:
                await self.store.save_cursor(uow.session, source, next_after)
                await uow.commit()
            after = next_after

    async def _catch_up(self, process: Process, source: str, heads: dict[str, int]) -> None:
        async with self._uow_factory() as uow:
            seen = await self.store.last_seen(uow.session, [(source, k) for k in heads])
        behind = {k: seen.get((source, k), 0) for k, n in heads.items() if seen.get((source, k), 0) < n}
        if not behind:
            return
        fetched = await self._peers.between(source, [(k, last, heads[k] + 1) for k, last in behind.items()])
        by_key: dict[str, list[FetchedEvent]] = {}
        for e in fetched:
            by_key.setdefault(e.key, []).append(e)
        for key, last in behind.items():
            await self._apply(process, source, key, last, heads[key] + 1, by_key.get(key, []), "high_water")

    async def _apply(self, process: Process, source: str, key: str, last: int, upto: int,
                     fetched: list[FetchedEvent], found_by: str) -> None:
        expected, applied = last + 1, 0
        for e in sorted(fetched, key=lambda f: f.sequence):
            if e.sequence < expected or e.sequence >= upto:
                continue
            if e.sequence > expected:
                await self._lost(source, key, expected, e.sequence - 1, found_by)
            await process(RecoveredRecord(self._topics[source], key.encode(), e.value, e.headers))
            expected, applied = e.sequence + 1, applied + 1
        if expected < upto:
            await self._lost(source, key, expected, upto - 1, found_by)
        if applied:
            await self._recovered(source, key, last + 1, expected - 1, applied, found_by)

    async def _recovered(self, source: str, key: str, first: int, last: int, count: int, found_by: str) -> None:
        log.warning("%s: recovered %d missed event(s) of %s, sequence %d..%d, from %s (found by %s)",
                    self.store.consumer, count, key, first, last, source, found_by)
        self._metrics.gaps_recovered.labels(self.store.consumer, source).inc()
        self._metrics.events_recovered.labels(self.store.consumer, source).inc(count)
        async with self._uow_factory() as uow:
            await self.store.record_gap(uow.session, source, key, first, last, "recovered", found_by,
                                         f"{count} event(s) fetched from the producer")
            await uow.commit()

    async def _lost(self, source: str, key: str, first: int, last: int, found_by: str) -> None:
        """The producer no longer has these: recorded as lost, and the key moves past them."""
        log.error("%s: events %d..%d of %s from %s are lost: gone from the broker and from the producer's "
                  "outbox retention (found by %s)", self.store.consumer, first, last, key, source, found_by)
        self._metrics.gaps_lost.labels(self.store.consumer, source).inc()
        self._metrics.events_lost.labels(self.store.consumer, source).inc(last - first + 1)
        async with self._uow_factory() as uow:
            await self.store.record_gap(uow.session, source, key, first, last, "lost", found_by,
                                         "not in the producer's outbox retention")
            await self.store.advance(uow.session, {(source, key): last})
            await uow.commit()

    async def close(self) -> None:
        await self._peers.close()
