"""Raw aiokafka produce -> consume round trip on the same broker, with the services' client settings."""
from __future__ import annotations

import asyncio
import struct
import time
import uuid
from typing import Any

from shared.messaging import kafka
from tests.bench.stats import summary_ms

TOPIC = "bench.roundtrip"


async def _roundtrip(bootstrap: str, rate: float, warmup_s: float, duration_s: float) -> dict[str, Any]:
    cfg = kafka.KafkaConfig(bootstrap_servers=bootstrap, client_id="bench-roundtrip")
    await kafka.ensure_topics(cfg, [TOPIC])
    producer, consumer = kafka.producer(cfg), kafka.consumer(cfg, f"bench-{uuid.uuid4().hex[:8]}", [TOPIC])
    await producer.start()
    await consumer.start()
    latencies: list[float] = []
    done = asyncio.Event()

    async def consume() -> None:
        while not done.is_set():
            # the same call the services' consumer loop makes (shared/messaging/consumer.py defaults)
            batch = await consumer.getmany(timeout_ms=200, max_records=500)
            now = time.perf_counter()
            for records in batch.values():
                for rec in records:
                    sent, counted = struct.unpack("!d?", rec.value)
                    if counted:
                        latencies.append((now - sent) * 1000)
                    if rec.key == b"prime":
                        primed.set()

    async def send(counted: bool) -> None:
        await producer.send_and_wait(TOPIC, struct.pack("!d?", time.perf_counter(), counted),
                                     key=uuid.uuid4().hex.encode())

    primed = asyncio.Event()
    reader = asyncio.create_task(consume())
    try:
        await producer.send_and_wait(TOPIC, struct.pack("!d?", time.perf_counter(), False), key=b"prime")
        await asyncio.wait_for(primed.wait(), 60)  # group joined and partitions assigned
        loop, sends = asyncio.get_running_loop(), []
        for phase, seconds in (("warmup", warmup_s), ("measure", duration_s)):
            start = loop.time()
            for i in range(int(rate * seconds)):
                delay = start + i / rate - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                sends.append(asyncio.create_task(send(phase == "measure")))
        await asyncio.gather(*sends)
        expected = int(rate * duration_s)
        deadline = time.monotonic() + 10
        while len(latencies) < expected and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    finally:
        done.set()
        await asyncio.wait([reader], timeout=5)
        reader.cancel()
        await kafka.stop_quietly(consumer)
        await kafka.stop_quietly(producer)
    return {"rate_per_s": rate, "warmup_s": warmup_s, "duration_s": duration_s,
            "fetch_max_wait_ms": cfg.fetch_max_wait_ms, "acks": "all", "expected": expected,
            "lost": expected - len(latencies), **summary_ms(latencies)}


def run(bootstrap: str, rate: float, warmup_s: float, duration_s: float) -> dict[str, Any]:
    result = asyncio.run(_roundtrip(bootstrap, rate, warmup_s, duration_s))
    print(f"  raw round trip p50 {result['p50_ms']} ms  p99 {result['p99_ms']} ms  "
          f"({result['count']}/{result['expected']} messages)", flush=True)
    return result
