"""In-memory stand-ins for the Kafka clients, for the fast test tier (one partition per topic)."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FakeRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass(frozen=True)
class FakeTopicPartition:
    topic: str
    partition: int = 0


class FakeBroker:
    def __init__(self) -> None:
        self.topics: dict[str, list[FakeRecord]] = {}
        self.committed: dict[tuple[str, str], int] = {}
        self.fail_sends = 0  # the next N sends fail, to test retries

    def append(self, topic: str, key: bytes | None, value: bytes | None,
               headers: list[tuple[str, bytes]] | None = None) -> FakeRecord:
        log = self.topics.setdefault(topic, [])
        rec = FakeRecord(topic, 0, len(log), key, value, list(headers or []))
        log.append(rec)
        return rec

    def producer(self) -> FakeProducer:
        return FakeProducer(self)

    def consumer(self, group: str, topics: list[str]) -> FakeConsumer:
        return FakeConsumer(self, group, topics)


class FakeProducer:
    def __init__(self, broker: FakeBroker) -> None:
        self.broker, self.started = broker, False

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.started = False

    async def send(self, topic: str, value: bytes | None = None, key: bytes | None = None,
                   headers: list[tuple[str, bytes]] | None = None) -> asyncio.Future[Any]:
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if self.broker.fail_sends > 0:
            self.broker.fail_sends -= 1
            fut.set_exception(ConnectionError("fake broker refused the send"))
        else:
            fut.set_result(self.broker.append(topic, key, value, headers))
        return fut

    async def send_and_wait(self, topic: str, value: bytes | None = None, key: bytes | None = None,
                            headers: list[tuple[str, bytes]] | None = None) -> Any:
        return await (await self.send(topic, value, key, headers))


class FakeConsumer:
    def __init__(self, broker: FakeBroker, group: str, topics: list[str]) -> None:
        self.broker, self.group, self.topics = broker, group, topics
        self.positions: dict[str, int] = {}

    async def start(self) -> None:
        for t in self.topics:
            self.positions[t] = self.broker.committed.get((self.group, t), 0)

    async def stop(self) -> None:
        pass

    async def getmany(self, timeout_ms: int = 0, max_records: int | None = None) -> dict[Any, list[FakeRecord]]:
        out = {}
        for t in self.topics:
            recs = self.broker.topics.get(t, [])[self.positions[t]:][: max_records or None]
            if recs:
                out[FakeTopicPartition(t)] = recs
                self.positions[t] += len(recs)
        if not out:
            await asyncio.sleep(timeout_ms / 1000)
        return out

    def seek(self, tp: FakeTopicPartition, offset: int) -> None:
        self.positions[tp.topic] = offset

    def assignment(self) -> set[FakeTopicPartition]:
        return {FakeTopicPartition(t) for t in self.topics}

    def highwater(self, tp: FakeTopicPartition) -> int:
        return len(self.broker.topics.get(tp.topic, []))

    async def position(self, tp: FakeTopicPartition) -> int:
        return self.positions[tp.topic]

    async def commit(self, offsets: dict[FakeTopicPartition, int]) -> None:
        for tp, off in offsets.items():
            self.broker.committed[(self.group, tp.topic)] = off
