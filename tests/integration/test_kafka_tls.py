"""Kafka over TLS for real: Tansu behind stunnel (tests/support/tls.py), the clients of shared.messaging.kafka and
a service runtime configured by the KAFKA_SECURITY_PROTOCOL / KAFKA_SSL_* settings.

Needs `stunnel` (Debian `stunnel4`): skipped without it, failed under CI."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.intake.db.tables import outbox
from shared.contract.topics import INTAKE_EVENTS
from shared.messaging import kafka
from shared.messaging.relay import Relay
from tests.integration.test_outbox_relay import units
from tests.support.runtime import runtime
from tests.support.tls import KEY_PASSWORD, Pki, TlsBroker, make_pki

SESSION_MS = 2000  # a short group session: Tansu's first join takes about half of it


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def tls_broker(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsBroker]:
    b = TlsBroker(pki, tmp_path_factory.mktemp("tls-broker")).start()
    yield b
    b.stop()


@pytest.fixture(scope="module")
def mtls_broker(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsBroker]:
    b = TlsBroker(pki, tmp_path_factory.mktemp("mtls-broker"), require_client_cert=True).start()
    yield b
    b.stop()


def ssl_config(broker: TlsBroker, ca: Path, **security: object) -> kafka.KafkaConfig:
    return kafka.KafkaConfig(bootstrap_servers=broker.bootstrap, client_id="bondline-tls-test",
                             session_timeout_ms=SESSION_MS, heartbeat_interval_ms=500,
                             security=kafka.KafkaSecurity(protocol="SSL", ca_file=str(ca), **security))  # type: ignore[arg-type]


async def round_trip(cfg: kafka.KafkaConfig, topic: str) -> list[tuple[bytes | None, bytes | None]]:
    """Create ``topic``, send two keyed records with a header, read them back in a fresh group."""
    assert await kafka.broker_reachable(cfg) is None
    await kafka.ensure_topics(cfg, [topic])
    producer = kafka.producer(cfg)
    await asyncio.wait_for(producer.start(), 20)
    try:
        for i in range(2):
            await producer.send_and_wait(topic, f"value-{i}".encode(), key=b"unit-1", headers=[("ce_id", b"x")])
        # the follow-up connections went to the address the broker advertises: stunnel's TLS port
        assert {(b.host, b.port) for b in producer.client.cluster.brokers()} == {("127.0.0.1", cfg_port(cfg))}
    finally:
        await kafka.stop_quietly(producer)
    consumer = kafka.consumer(cfg, f"tls-test-{topic}", [topic])
    await asyncio.wait_for(consumer.start(), 30)
    got: list[tuple[bytes | None, bytes | None]] = []
    try:
        async with asyncio.timeout(30):
            while len(got) < 2:
                for records in (await consumer.getmany(timeout_ms=1000)).values():
                    got += [(r.key, r.value) for r in records]
    finally:
        await kafka.stop_quietly(consumer)
    return got


def cfg_port(cfg: kafka.KafkaConfig) -> int:
    return int(cfg.bootstrap_servers.rpartition(":")[2])


async def test_round_trip_over_tls_with_the_right_ca(tls_broker: TlsBroker, pki: Pki) -> None:
    got = await round_trip(ssl_config(tls_broker, pki.ca), "tls.round-trip")
    assert got == [(b"unit-1", b"value-0"), (b"unit-1", b"value-1")]


async def test_a_plaintext_client_gets_nothing_from_the_tls_port(tls_broker: TlsBroker) -> None:
    problem = await kafka.broker_reachable(kafka.KafkaConfig(bootstrap_servers=tls_broker.bootstrap), timeout=2)
    assert problem is not None and "unreachable" in problem


def tls_env(monkeypatch: pytest.MonkeyPatch, broker: TlsBroker, ca: Path, tmp_path: Path) -> str:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrap)
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SSL")
    monkeypatch.setenv("KAFKA_SSL_CA_FILE", str(ca))
    monkeypatch.setenv("KAFKA_SESSION_TIMEOUT_MS", "3000")  # heartbeats every 2 s (the default)
    return f"sqlite+aiosqlite:///{tmp_path}/intake.db"


async def test_the_service_publishes_over_tls_from_its_settings(tls_broker: TlsBroker, pki: Pki,
                                                               monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    rt = runtime("intake", tls_env(monkeypatch, tls_broker, pki.ca, tmp_path), monkeypatch)
    try:
        assert rt.kafka.security.protocol == "SSL" and rt.kafka.security.ca_file == str(pki.ca)
        assert await rt.broker_problem() is None
        unit = await units.receive_unit(rt.uow(), "SN-TLS-1", "clerk")
        relay = Relay(rt.sessions, outbox, lambda: kafka.producer(rt.kafka), rt.signal, rt.metrics,
                      prepare=rt._ensure_topics)
        try:
            assert await relay.step() == 1
        finally:
            await relay._drop_producer()
        consumer = kafka.consumer(rt.kafka, "tls-test-intake-reader", [INTAKE_EVENTS])
        await asyncio.wait_for(consumer.start(), 30)
        try:
            async with asyncio.timeout(30):
                keys: list[bytes | None] = []
                while not keys:
                    keys += [r.key for rs in (await consumer.getmany(timeout_ms=1000)).values() for r in rs]
        finally:
            await kafka.stop_quietly(consumer)
        assert keys == [unit.id.encode()]
    finally:
        await rt.dispose()


async def test_a_wrong_ca_is_refused_with_a_log_that_names_the_setting(
        tls_broker: TlsBroker, pki: Pki, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    rt = runtime("intake", tls_env(monkeypatch, tls_broker, pki.wrong_ca, tmp_path), monkeypatch)
    expected = f"TLS handshake to {tls_broker.bootstrap} failed: certificate verify failed"
    try:
        with caplog.at_level(logging.ERROR, logger="bondline.kafka"):
            problem = await rt.broker_problem()
            assert problem is not None and problem.startswith(expected)
            assert "check KAFKA_SSL_CA_FILE" in problem and str(pki.wrong_ca) in problem
            assert problem in await rt.readiness()  # /readyz answers 503 with the reason

            await units.receive_unit(rt.uow(), "SN-TLS-2", "clerk")
            relay = Relay(rt.sessions, outbox, lambda: kafka.producer(rt.kafka), rt.signal, rt.metrics,
                          prepare=rt._ensure_topics)
            with pytest.raises(kafka.KafkaTLSError, match=r"certificate verify failed.*check KAFKA_SSL_CA_FILE"):
                await relay.step()  # what the relay loop logs as "relay publish failed ... KafkaTLSError(...)"
        lines = [r.getMessage() for r in caplog.records if r.name == "bondline.kafka"]
        assert lines and all(line.startswith(expected) and "KAFKA_SSL_CA_FILE" in line for line in lines)
    finally:
        await rt.dispose()


async def test_an_ssl_client_on_a_plain_port_is_told_to_check_the_protocol(tls_broker: TlsBroker, pki: Pki) -> None:
    cfg = kafka.KafkaConfig(bootstrap_servers=f"127.0.0.1:{tls_broker.plain_port}",
                            security=kafka.KafkaSecurity(protocol="SSL", ca_file=str(pki.ca)))
    problem = await kafka.broker_reachable(cfg, timeout=1)
    assert problem is not None and "KAFKA_SECURITY_PROTOCOL" in problem and "TLS handshake" in problem


async def test_mutual_tls_with_an_encrypted_client_key(mtls_broker: TlsBroker, pki: Pki) -> None:
    cfg = ssl_config(mtls_broker, pki.ca, cert_file=str(pki.client_cert), key_file=str(pki.client_key),
                     key_password=KEY_PASSWORD)
    assert await round_trip(cfg, "mtls.round-trip") == [(b"unit-1", b"value-0"), (b"unit-1", b"value-1")]


async def test_mutual_tls_without_a_client_certificate_is_refused(mtls_broker: TlsBroker, pki: Pki) -> None:
    problem = await kafka.broker_reachable(ssl_config(mtls_broker, pki.ca))
    assert problem is not None and problem.startswith(f"TLS handshake to {mtls_broker.bootstrap} failed")
    assert "KAFKA_SSL_CERT_FILE" in problem
