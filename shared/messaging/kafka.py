"""Kafka client factories. Settings fit both Tansu (embedded) and Apache Kafka."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError
from aiokafka.helpers import create_ssl_context

log = logging.getLogger("bondline.kafka")

TLS_PROTOCOLS = ("SSL", "SASL_SSL")
SASL_PROTOCOLS = ("SASL_PLAINTEXT", "SASL_SSL")


class KafkaTLSError(KafkaConnectionError):
    """No TLS with the brokers: the client context cannot be built or a handshake failed; the message says why and
    which setting to check."""


@dataclass(frozen=True)
class KafkaSecurity:
    """How the clients reach the brokers (the KAFKA_SECURITY_PROTOCOL, KAFKA_SSL_* and KAFKA_SASL_* settings)."""
    protocol: str = "PLAINTEXT"
    """PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL."""
    ca_file: str | None = None
    """The CA(s) that signed the brokers' certificates (PEM); None: the system trust store."""
    cert_file: str | None = None
    """The client's certificate (PEM) for mutual TLS, with ``key_file``."""
    key_file: str | None = None
    key_password: str | None = field(default=None, repr=False)
    check_hostname: bool = True
    sasl_mechanism: str | None = None
    """PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512."""
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)

    @property
    def tls(self) -> bool:
        return self.protocol in TLS_PROTOCOLS

    def ssl_context(self) -> ssl.SSLContext | None:
        """A fresh client context (files read again: a rotated certificate is picked up by rebuilt clients)."""
        if not self.tls:
            return None
        try:
            ctx = create_ssl_context(cafile=self.ca_file, certfile=self.cert_file, keyfile=self.key_file,
                                     password=self.key_password)
        except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError: a bad file, key or passphrase
            raise KafkaTLSError(f"TLS client context not built: {exc}; check KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE, "
                                f"KAFKA_SSL_KEY_FILE and KAFKA_SSL_KEY_PASSWORD") from exc
        ctx.check_hostname = self.check_hostname
        return ctx


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
    security: KafkaSecurity = field(default_factory=KafkaSecurity)


def security_kwargs(security: KafkaSecurity) -> dict[str, Any]:
    """The aiokafka client arguments for ``security`` (every producer, consumer and admin client takes them)."""
    kwargs: dict[str, Any] = {"security_protocol": security.protocol, "ssl_context": security.ssl_context()}
    if security.protocol in SASL_PROTOCOLS:
        kwargs.update(sasl_mechanism=security.sasl_mechanism, sasl_plain_username=security.sasl_username,
                      sasl_plain_password=security.sasl_password)
    return kwargs


def client_kwargs(cfg: KafkaConfig) -> dict[str, Any]:
    """Where and how to connect: bootstrap servers, client id and the security arguments."""
    return {"bootstrap_servers": cfg.bootstrap_servers, "client_id": cfg.client_id, **security_kwargs(cfg.security)}


def producer(cfg: KafkaConfig) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        **client_kwargs(cfg), acks="all",
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
        **client_kwargs(cfg), group_id=group_id, enable_auto_commit=False, auto_offset_reset="earliest",
        fetch_max_wait_ms=cfg.fetch_max_wait_ms, session_timeout_ms=cfg.session_timeout_ms,
        heartbeat_interval_ms=cfg.heartbeat_interval_ms,
        request_timeout_ms=max(cfg.request_timeout_ms, cfg.session_timeout_ms + 5000),
        metadata_max_age_ms=30_000,
    )
    c.subscribe(topics, listener=_Listener(listener) if listener is not None else None)
    return c


async def ensure_topics(cfg: KafkaConfig, topics: list[str] | tuple[str, ...]) -> list[str]:
    """Create topics that are missing; returns the ones created."""
    admin = AIOKafkaAdminClient(**client_kwargs(cfg), request_timeout_ms=cfg.request_timeout_ms)
    try:
        await asyncio.wait_for(admin.start(), cfg.op_timeout_s)
    except Exception as exc:
        await _quietly(admin.close(), cfg.op_timeout_s)
        problem = await tls_problem(cfg)
        if problem is None:
            raise
        log.error("%s", problem)
        raise KafkaTLSError(problem) from exc
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
    admin: AIOKafkaAdminClient | None = None
    try:
        admin = AIOKafkaAdminClient(**client_kwargs(cfg), request_timeout_ms=int(timeout * 1000))
        await asyncio.wait_for(admin.start(), timeout)
        await asyncio.wait_for(admin.list_topics(), timeout)
        _last_logged.pop(cfg.bootstrap_servers, None)
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means not reachable; the reason is returned
        problem = await tls_problem(cfg, timeout)
        if problem is None:
            return f"broker {cfg.bootstrap_servers} unreachable: {type(exc).__name__} {exc}".strip()
        if _last_logged.get(cfg.bootstrap_servers) != problem:  # once per new reason: readiness asks every 2 s
            _last_logged[cfg.bootstrap_servers] = problem
            log.error("%s", problem)
        return problem
    finally:
        if admin is not None:
            await _quietly(admin.close(), timeout)


_last_logged: dict[str, str] = {}


async def tls_problem(cfg: KafkaConfig, timeout: float = 3.0) -> str | None:
    """Why a TLS connection to the bootstrap brokers fails, naming the setting to check; None when a handshake
    succeeds, no broker can be reached at all, or TLS is not in use.

    aiokafka logs a failed handshake and then raises only "Unable to bootstrap": this handshake of our own is
    what tells a wrong CA (or a missing client certificate) from a broker that is down."""
    if not cfg.security.tls:
        return None
    try:
        ctx = cfg.security.ssl_context()
    except KafkaTLSError as exc:
        return str(exc.args[0])
    assert ctx is not None
    found: str | None = None
    for server in cfg.bootstrap_servers.split(","):
        host, _, port = server.strip().rpartition(":")
        host = host.strip("[]")
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(
                host, int(port), ssl=ctx, server_hostname=host, ssl_handshake_timeout=timeout), timeout + 1)
        except ssl.SSLCertVerificationError as exc:
            return _verify_failed(cfg, server.strip(), exc)
        except ssl.SSLError as exc:
            found = found or _handshake_failed(server.strip(), exc)
            continue
        except ConnectionAbortedError as exc:  # connected, but the handshake timed out
            if "handshake" in str(exc).lower():
                found = found or (f"TLS handshake to {server.strip()} failed: no answer within {timeout:g}s; the "
                                  f"broker may not speak TLS on this port: check KAFKA_SECURITY_PROTOCOL and "
                                  f"KAFKA_BOOTSTRAP_SERVERS")
            continue
        except (TimeoutError, OSError, ValueError):
            continue  # not reachable at all: not a TLS problem
        try:
            # under TLS 1.3 the server checks the client's certificate after the client has finished: its
            # refusal (an alert) arrives with the first read
            await asyncio.wait_for(reader.read(1), min(timeout, 0.5))
        except ssl.SSLError as exc:
            found = found or _handshake_failed(server.strip(), exc)
        except (TimeoutError, OSError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1)
    return found


def _verify_failed(cfg: KafkaConfig, server: str, exc: ssl.SSLCertVerificationError) -> str:
    detail = exc.verify_message or exc.reason or str(exc)
    if exc.verify_code == 62:  # X509_V_ERR_HOSTNAME_MISMATCH
        return (f"TLS handshake to {server} failed: certificate verify failed ({detail}); check "
                f"KAFKA_BOOTSTRAP_SERVERS (the host must be named in the broker's certificate) or "
                f"KAFKA_SSL_CHECK_HOSTNAME")
    ca = cfg.security.ca_file or "unset: the system trust store"
    return (f"TLS handshake to {server} failed: certificate verify failed ({detail}); check KAFKA_SSL_CA_FILE "
            f"({ca}): it must hold the CA that signed the broker's certificate")


def _handshake_failed(server: str, exc: ssl.SSLError) -> str:
    reason = exc.reason or str(exc)
    text = str(exc).lower()
    if "wrong version number" in text or "record layer failure" in text or "packet length too long" in text:
        hint = "the broker does not speak TLS on this port; check KAFKA_SECURITY_PROTOCOL and KAFKA_BOOTSTRAP_SERVERS"
    elif "certificate required" in text or "handshake failure" in text or "unknown ca" in text \
            or "bad certificate" in text:
        hint = ("the broker refused this client's certificate; check KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE "
                "(mutual TLS)")
    else:
        hint = "check KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE and KAFKA_SECURITY_PROTOCOL"
    return f"TLS handshake to {server} failed: {reason}; {hint}"


async def _quietly(coro, timeout: float) -> None:  # type: ignore[no-untyped-def]
    try:
        await asyncio.wait_for(coro, timeout)
    except Exception as exc:  # noqa: BLE001 - closing a broken client must not mask the real error
        log.debug("close failed: %r", exc)


async def stop_quietly(client, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    await _quietly(client.stop(), timeout)
