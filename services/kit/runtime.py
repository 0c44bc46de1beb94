"""Wires one service: engine, sessions, outbox signal, relay, consumer, readiness."""
from __future__ import annotations

import asyncio
import gc
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, GCCollector, PlatformCollector, ProcessCollector
from sqlalchemy import Table, text

from services.kit import migrations, oidc, projections, telemetry
from services.kit.auth import Role, issue_token
from services.kit.db import make_engine, make_sessions, normalize_url
from services.kit.settings import CommonSettings, ServiceSettings, peer_urls
from shared.contract.topics import SOURCE_TOPIC, dead_letter_topic
from shared.messaging import kafka
from shared.messaging.consumer import ConsumerOptions, EventConsumer, Handler, PrepareBatch
from shared.messaging.dead_letters import DeadLetterWriter
from shared.messaging.metrics import MessagingMetrics
from shared.messaging.outbox import OutboxSignal, notify_channel
from shared.messaging.peers import PeerEvents
from shared.messaging.pg import AdvisoryLease, PgListener
from shared.messaging.recovery import GapCheckOptions, GapRecovery
from shared.messaging.relay import Relay, RelayOptions
from shared.messaging.sequencing import SequenceStore, lost_summary
from shared.messaging.tables import SequenceTables

log = logging.getLogger("bondline.runtime")


@dataclass(frozen=True)
class Projection:
    """A read model with a consumer of its own: group ``bondline.<service>.<name>[.g<generation>]``.

    Its failures never roll back or dead-letter the service's own handling of an event (another group,
    another transaction). ``reset`` empties the read model; a rebuild calls it and moves to the next
    generation, a new group that reads the topics from the start (``python -m services.<service> rebuild``).
    """
    name: str
    handlers: dict[str, Handler]
    subscribe: list[str]
    reset: Callable[[Any], Awaitable[None]]
    """``reset(session)``: delete every row of the read model (inside the rebuild's transaction)."""
    prepare_batch: PrepareBatch | None = None
    """What the projection reads ahead for a batch and writes behind (``shared.messaging.consumer.PrepareBatch``)."""


@dataclass
class ServiceDefinition:
    name: str
    settings: ServiceSettings
    common: CommonSettings
    outbox: Table
    inbox: Table
    dead_letters: Table
    migrations_dir: Path
    uow_class: Callable[..., Any]
    handlers: dict[str, Handler] = field(default_factory=dict)
    subscribe: list[str] = field(default_factory=list)
    prepare_batch: PrepareBatch | None = None
    """What the service's own consumer reads ahead for a batch and writes behind (``PrepareBatch``)."""
    idempotency: Table | None = None
    sequences: SequenceTables | None = None
    """Per-key event sequences: set, the service numbers its events and its consumer recovers gaps."""
    workers: list[Callable[[Any, asyncio.Event], Any]] = field(default_factory=list)
    """Extra background jobs (e.g. webhook deliveries), run beside the relay: ``worker(runtime, stop)``."""
    projections: list[Projection] = field(default_factory=list)
    after_migrate: Callable[[ServiceDefinition], Awaitable[Any]] | None = None
    """Run once the migrations are at head, before anything else starts (e.g. partners taking over old data)."""
    scrape: Callable[[CollectorRegistry], Callable[[Any], Awaitable[None]]] | None = None
    """Service gauges for ``/metrics``: given the registry, the refresh to run with a session at every scrape."""
    projections_table: Table | None = None
    """``projection_generations`` (``services.kit.projections.generations_table``): set with ``projections``."""
    """Read models fed by consumers of their own (group, inbox rows, dead letters): see ``Projection``."""

    @property
    def produces(self) -> bool:
        """Whether the service publishes events (has a topic, an outbox relay and the producer API)."""
        return self.name in SOURCE_TOPIC

    @property
    def database_url(self) -> str:
        default = f"sqlite+aiosqlite:///{self.common.bondline_var_dir.resolve()}/{self.name}.db"
        return normalize_url(self.settings.database_url or default)


class Runtime:
    def __init__(self, d: ServiceDefinition) -> None:
        self.d = d
        self.engine = make_engine(d.database_url, d.settings.db_pool_size)
        self.sessions = make_sessions(self.engine)
        telemetry.instrument_engine(self.engine)
        self.signal = OutboxSignal()
        self.registry = CollectorRegistry()
        for collector in (ProcessCollector, PlatformCollector, GCCollector):  # the standard process_*/python_*
            collector(registry=self.registry)
        self.metrics = MessagingMetrics(self.registry)
        c = d.common
        self.kafka = kafka.KafkaConfig(
            bootstrap_servers=c.kafka_bootstrap_servers, client_id=f"bondline-{d.name}",
            idempotence=c.kafka_enable_idempotence, request_timeout_ms=c.kafka_request_timeout_ms,
            fetch_max_wait_ms=d.settings.kafka_fetch_max_wait_ms or c.kafka_fetch_max_wait_ms,
            session_timeout_ms=c.kafka_session_timeout_ms,
            topic_partitions=c.kafka_topic_partitions, replication_factor=c.kafka_replication_factor,
            security=kafka_security(c))
        self.topic = SOURCE_TOPIC.get(d.name)
        self._broker_check: tuple[float, str | None] = (0.0, "broker not checked yet")
        self.relay_in_process = False  # when False on PostgreSQL, commits NOTIFY the relay elsewhere
        self.event_consumers: list[EventConsumer] = []  # set while this process runs the consumers
        self._service_token: tuple[float, str] = (0.0, "")

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def uow(self) -> Any:
        # On PostgreSQL every commit NOTIFYs: the relay holding the lease may be another instance's, even when this
        # process runs a relay of its own (several `all` instances: only one of them publishes)
        return self.d.uow_class(self.sessions, self.d.outbox, self.signal, f"/bondline/{self.d.name}",
                                self.is_postgres)

    async def _ensure_topics(self) -> None:
        topics = {*([self.topic] if self.topic else []), dead_letter_topic(self.d.name), *self.d.subscribe,
                  *(t for p in self.d.projections for t in p.subscribe)}
        await kafka.ensure_topics(self.kafka, sorted(topics))

    def relay(self) -> Relay:
        s = self.d.settings
        opts = RelayOptions(batch_size=s.relay_batch_size, poll_interval_s=s.relay_poll_interval_s,
                            retention=timedelta(hours=s.outbox_retention_hours))
        lease = AdvisoryLease(self.engine, f"relay:{self.d.name}") if self.is_postgres else None
        return Relay(self.sessions, self.d.outbox, lambda: kafka.producer(self.kafka), self.signal,
                     self.metrics, opts, prepare=self._ensure_topics, lease=lease)

    def consumer(self) -> EventConsumer | None:
        """The service's own consumer (its handlers), or None when it has none."""
        if not self.d.handlers:
            return None
        return self._consumer(f"bondline.{self.d.name}", self.d.handlers, list(self.d.subscribe), self.d.prepare_batch)

    async def projection_consumers(self) -> list[EventConsumer]:
        """One consumer per projection, in the group of its current generation."""
        async with self.sessions() as s:
            generations = await projections.generations(s, self.d.projections_table)
        return [self._consumer(projections.group(self.d.name, p.name, generations.get(p.name, 0)),
                               p.handlers, list(p.subscribe), p.prepare_batch) for p in self.d.projections]

    def _consumer(self, group: str, handlers: dict[str, Handler], subscribe: list[str],
                  prepare_batch: PrepareBatch | None = None) -> EventConsumer:
        dead = DeadLetterWriter(self.sessions, self.d.dead_letters, dead_letter_topic(self.d.name),
                                lambda: kafka.producer(self.kafka), prepare=self._ensure_topics)
        consumer = EventConsumer(
            group, subscribe, handlers, self.uow, self.d.inbox, dead,
            lambda: kafka.consumer(self.kafka, group, subscribe, listener=consumer), self.metrics,
            ConsumerOptions(max_attempts=self.d.settings.consumer_max_attempts),
            prepare=self._ensure_topics, recovery=self._recovery(group, subscribe), prepare_batch=prepare_batch)
        return consumer

    def _recovery(self, group: str, subscribe: list[str]) -> GapRecovery | None:
        """Gap recovery for the topics this consumer reads: each producer's API serves its outbox."""
        if self.d.sequences is None:
            return None
        names = [n for n, t in SOURCE_TOPIC.items() if t in subscribe]
        urls = peer_urls(self.d.common, names)
        s = self.d.settings
        return GapRecovery(
            SequenceStore(group, self.d.sequences),
            PeerEvents({f"/bondline/{n}": urls[n] for n in names}, self.service_token),
            {f"/bondline/{n}": SOURCE_TOPIC[n] for n in names}, self.uow, self.metrics,
            GapCheckOptions(interval_s=s.gap_check_interval_s, grace_s=s.gap_check_grace_s))

    def service_token(self) -> str:
        """This service's own bearer token for the others' APIs (role ``service``), renewed at half its life: from
        the identity provider (client credentials) when a service client is set, else an HS256 development token."""
        renew_at, tok = self._service_token
        if not tok or time.monotonic() > renew_at:
            c = self.d.common
            if c.bondline_oidc_issuer and c.bondline_oidc_service_client_id:  # the identity provider's token
                tok, life = oidc.client_credentials(c.bondline_oidc_issuer, c.bondline_oidc_service_client_id,
                                                    c.bondline_oidc_service_client_secret or "",
                                                    c.bondline_oidc_audience)
            else:
                tok, life = issue_token(c.bondline_jwt_secret, f"bondline-{self.d.name}", Role.service,
                                        ttl_minutes=120), 7200.0
            self._service_token = (time.monotonic() + life / 2, tok)
        return tok

    def migrate(self) -> None:
        migrations.upgrade(self.d.migrations_dir, self.d.database_url)
        self.migrate_after()

    def migrate_after(self) -> None:
        """What runs once the database is at its migration head (``after_migrate``), before anything else."""
        if self.d.after_migrate is not None:
            _in_own_loop(lambda: self.d.after_migrate(self.d))  # type: ignore[misc]

    async def run_workers(self, stop: asyncio.Event, relay: bool = True, consumer: bool = True) -> None:
        """The relay and the background workers (``relay``), the consumers (``consumer``), until ``stop``."""
        self.relay_in_process = relay and self.d.produces
        tasks, listener = (await self._start_relay(stop)) if relay else ([], None)
        if consumer:
            own = self.consumer()
            self.event_consumers = [*([own] if own else []), *await self.projection_consumers()]
            tasks += [asyncio.create_task(c.run(stop), name=c.name) for c in self.event_consumers]
        await stop.wait()
        self.signal.notify()
        _done, pending = await asyncio.wait(tasks, timeout=15) if tasks else (set(), set())
        for t in pending:
            t.cancel()
        if listener is not None:
            await listener.stop()

    async def _start_relay(self, stop: asyncio.Event) -> tuple[list[asyncio.Task[Any]], PgListener | None]:
        tasks = [asyncio.create_task(w(self, stop), name=getattr(w, "__name__", "worker")) for w in self.d.workers]
        if not self.d.produces:
            return tasks, None
        tasks.append(asyncio.create_task(self.relay().run(stop), name="relay"))
        if not self.is_postgres:
            return tasks, None
        listener = PgListener(self.engine, notify_channel(self.d.outbox), self.signal.notify)
        await _try(listener.start(), "outbox LISTEN (falling back to polling)")
        return tasks, listener

    async def readiness(self) -> list[str]:
        problems = []
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            at = await migrations.current(self.engine)
            if migrations.behind(self.d.migrations_dir, at):
                problems.append(f"database migrations at {at}, head is {migrations.head(self.d.migrations_dir)}")
        except Exception as exc:  # noqa: BLE001 - reported as the reason for 503
            problems.append(f"database unreachable: {type(exc).__name__}: {exc}")
        broker = await self.broker_problem()
        if broker:
            problems.append(broker)
        for c in self.event_consumers:
            if not c.joined:
                problems.append(f"consumer {c.name} has not joined its group yet (no partitions assigned)")
        return problems

    async def lost_events(self) -> dict[str, Any] | None:
        """Events gone from the broker and from their producer's outbox: None when there are none."""
        if self.d.sequences is None:
            return None
        async with self.sessions() as s:
            summary = await lost_summary(s, self.d.sequences)
        return summary if summary["events"] else None

    async def broker_problem(self) -> str | None:
        checked_at, problem = self._broker_check
        if time.monotonic() - checked_at > 2.0:
            problem = await kafka.broker_reachable(self.kafka)
            self._broker_check = (time.monotonic(), problem)
        return problem

    async def dispose(self) -> None:
        await self.engine.dispose()


def kafka_security(c: CommonSettings) -> kafka.KafkaSecurity:
    """The KAFKA_SECURITY_PROTOCOL, KAFKA_SSL_* and KAFKA_SASL_* settings as plain values for the clients."""
    def text(path: Path | None) -> str | None:
        return str(path) if path is not None else None

    return kafka.KafkaSecurity(
        protocol=c.kafka_security_protocol, ca_file=text(c.kafka_ssl_ca_file), cert_file=text(c.kafka_ssl_cert_file),
        key_file=text(c.kafka_ssl_key_file),
        key_password=c.kafka_ssl_key_password.get_secret_value() if c.kafka_ssl_key_password else None,
        check_hostname=c.kafka_ssl_check_hostname, sasl_mechanism=c.kafka_sasl_mechanism,
        sasl_username=c.kafka_sasl_username,
        sasl_password=c.kafka_sasl_password.get_secret_value() if c.kafka_sasl_password else None)


def settle_gc() -> None:
    """Once a process has started: what start-up built (modules, app, metadata) lives as long as the
    process, so it goes to the garbage collector's permanent generation. Full collections then scan
    only what requests allocate instead of pausing the event loop for 100+ ms under load. Once a process."""
    global _gc_settled
    if not _gc_settled:
        _gc_settled = True
        gc.collect()
        gc.freeze()


_gc_settled = False


def _in_own_loop(make: Callable[[], Awaitable[Any]]) -> None:
    """Run a coroutine to the end on an event loop of its own (a thread), whether or not one runs here."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(make())  # type: ignore[arg-type]
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=run, name="after-migrate")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


async def _try(coro: Any, what: str) -> None:
    try:
        await coro
    except Exception as exc:  # noqa: BLE001 - optional feature; logged
        log.warning("%s failed: %r", what, exc)
