"""Kafka client factories. Settings fit both Tansu (embedded) and Apache Kafka."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

log = logging.getLogger("bondline.kafka")


@dataclass(frozen=True)
class KafkaConfig:
    bootstrap_servers: str = "127.0.0.1:9092"
    client_id: str = "bondline"
    idempotence: bool = False  # Tansu cannot; enable on Apache Kafka
    request_timeout_ms: int = 10_000
    fetch_max_wait_ms: int = 10
    session_timeout_ms: int = 10_000
    heartbeat_interval_ms: int = 2_000
    topic_partitions: int = 4
    replication_factor: int = 1
    op_timeout_s: float = 10.0


def producer(cfg: KafkaConfig) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=cfg.bootstrap_servers, client_id=cfg.client_id, acks="all",
        enable_idempotence=cfg.idempotence, linger_ms=0,
        request_timeout_ms=cfg.request_timeout_ms, retry_backoff_ms=100,
    )


class _Listener(ConsumerRebalanceListener):
    """Tells the owner (``on_partitions_assigned``/``on_partitions_revoked``) when the group rebalances."""

    def __init__(self, owner: Any) -> None:
        self._owner = owner

    def on_partitions_revoked(self, revoked: Any) -> None:
        self._owner.on_partitions_revoked(revoked)

    def on_partitions_assigned(self, assigned: Any) -> None:
        self._owner.on_partitions_assigned(assigned)


def consumer(cfg: KafkaConfig, group_id: str, topics: list[str], listener: Any = None) -> AIOKafkaConsumer:
    """A group consumer of ``topics``; ``listener`` (optional) hears of every rebalance."""
    c = AIOKafkaConsumer(
        bootstrap_servers=cfg.bootstrap_servers, client_id=cfg.client_id,
        group_id=group_id, enable_auto_commit=False, auto_offset_reset="earliest",
        fetch_max_wait_ms=cfg.fetch_max_wait_ms, session_timeout_ms=cfg.session_timeout_ms,
        heartbeat_interval_ms=cfg.heartbeat_interval_ms,
        request_timeout_ms=max(cfg.request_timeout_ms, cfg.session_timeout_ms + 5000),
        metadata_max_age_ms=30_000,
    )
    c.subscribe(topics, listener=_Listener(listener) if listener is not None else None)
    return c


async def ensure_topics(cfg: KafkaConfig, topics: list[str] | tuple[str, ...]) -> list[str]:
    """Create topics that are missing; returns the ones created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=cfg.bootstrap_servers,
                                request_timeout_ms=cfg.request_timeout_ms)
    await asyncio.wait_for(admin.start(), cfg.op_timeout_s)
    try:
        existing = set(await asyncio.wait_for(admin.list_topics(), cfg.op_timeout_s))
        missing = [t for t in topics if t not in existing]
        if missing:
            new = [NewTopic(t, cfg.topic_partitions, cfg.replication_factor) for t in missing]
            with contextlib.suppress(TopicAlreadyExistsError):
                await asyncio.wait_for(admin.create_topics(new), cfg.op_timeout_s)
            log.info("created topics %s", missing)
        return missing
    finally:
        await _quietly(admin.close(), cfg.op_timeout_s)


async def broker_reachable(cfg: KafkaConfig, timeout: float = 3.0) -> str | None:
    """None when the broker answers a metadata request, else the reason."""
    admin = AIOKafkaAdminClient(bootstrap_servers=cfg.bootstrap_servers, request_timeout_ms=int(timeout * 1000))
    try:
        await asyncio.wait_for(admin.start(), timeout)
        await asyncio.wait_for(admin.list_topics(), timeout)
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means not reachable; the reason is returned
        return f"broker {cfg.bootstrap_servers} unreachable: {type(exc).__name__} {exc}".strip()
    finally:
        await _quietly(admin.close(), timeout)


async def _quietly(coro, timeout: float) -> None:  # type: ignore[no-untyped-def]
    try:
        await asyncio.wait_for(coro, timeout)
    except Exception as exc:  # noqa: BLE001 - closing a broken client must not mask the real error
        log.debug("close failed: %r", exc)


async def stop_quietly(client, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    await _quietly(client.stop(), timeout)
