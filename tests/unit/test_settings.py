"""Bad settings stop the service at start with a message naming the variable; URLs pick async drivers."""
from __future__ import annotations

import pytest

from services.dispatch.settings import DispatchSettings
from services.intake.settings import IntakeSettings
from services.kit.db import normalize_url
from services.kit.settings import DEV_JWT_SECRET, CommonSettings, load
from services.repair.settings import RepairSettings


def refused(cls, capsys) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as exc:
        load(cls)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("bondline: refusing to start")
    return err


def test_defaults_load():
    assert load(IntakeSettings).port == 8001 and load(RepairSettings).port == 8002
    assert load(DispatchSettings).port == 8003
    common = load(CommonSettings)
    assert common.bondline_env == "development" and common.bondline_jwt_secret == DEV_JWT_SECRET


def test_each_service_reads_its_own_prefix(monkeypatch):
    monkeypatch.setenv("REPAIR_PORT", "9100")
    assert load(RepairSettings).port == 9100 and load(IntakeSettings).port == 8001


def test_bad_number_names_the_variable(monkeypatch, capsys):
    monkeypatch.setenv("INTAKE_PORT", "notanumber")
    err = refused(IntakeSettings, capsys)
    assert "invalid setting INTAKE_PORT" in err and "'notanumber'" in err


@pytest.mark.parametrize("var, value", [("DISPATCH_LOG_LEVEL", "CHATTY"), ("DISPATCH_CONSUMER_MAX_ATTEMPTS", "0"),
                                        ("DISPATCH_RELAY_POLL_INTERVAL_S", "-1")])
def test_out_of_range_values_name_the_variable(monkeypatch, capsys, var, value):
    monkeypatch.setenv(var, value)
    assert f"invalid setting {var}" in refused(DispatchSettings, capsys)


@pytest.mark.parametrize("cls, var", [(IntakeSettings, "INTAKE_PORT"), (RepairSettings, "REPAIR_PORT"),
                                      (DispatchSettings, "DISPATCH_PORT")])
def test_port_out_of_range_is_refused(monkeypatch, capsys, cls, var):
    monkeypatch.setenv(var, "70000")
    assert f"invalid setting {var}" in refused(cls, capsys)


def test_production_refuses_the_development_secret(monkeypatch, capsys):
    monkeypatch.setenv("BONDLINE_ENV", "production")
    err = refused(CommonSettings, capsys)
    assert "BONDLINE_JWT_SECRET" in err and DEV_JWT_SECRET not in err


def test_production_accepts_a_real_secret(monkeypatch):
    monkeypatch.setenv("BONDLINE_ENV", "production")
    monkeypatch.setenv("BONDLINE_JWT_SECRET", "p" * 40)
    monkeypatch.setenv("BONDLINE_OIDC_ISSUER", "https://idp.example")  # production takes only the provider's tokens
    monkeypatch.setenv("BONDLINE_OIDC_SERVICE_CLIENT_ID", "bondline-services")
    assert load(CommonSettings).bondline_jwt_secret == "p" * 40


def test_production_refuses_to_start_without_the_services_own_client(monkeypatch, capsys):
    monkeypatch.setenv("BONDLINE_ENV", "production")
    monkeypatch.setenv("BONDLINE_JWT_SECRET", "p" * 40)
    monkeypatch.setenv("BONDLINE_OIDC_ISSUER", "https://idp.example")
    err = refused(CommonSettings, capsys)
    assert "BONDLINE_OIDC_SERVICE_CLIENT_ID (and _SECRET) is required in production" in err


def test_production_refuses_to_start_without_an_identity_provider(monkeypatch, capsys):
    monkeypatch.setenv("BONDLINE_ENV", "production")
    monkeypatch.setenv("BONDLINE_JWT_SECRET", "p" * 40)
    err = refused(CommonSettings, capsys)
    assert "BONDLINE_OIDC_ISSUER is required in production" in err


def test_too_short_secret_is_refused_and_never_printed(monkeypatch, capsys):
    monkeypatch.setenv("BONDLINE_JWT_SECRET", "hunter2-x")
    err = refused(CommonSettings, capsys)
    assert "invalid setting BONDLINE_JWT_SECRET" in err and "hunter2" not in err


def test_secret_is_not_printed_when_another_setting_fails(monkeypatch, capsys):
    monkeypatch.setenv("BONDLINE_JWT_SECRET", "hunter2-" * 5)
    monkeypatch.setenv("BONDLINE_JWT_TTL_MINUTES", "0")
    err = refused(CommonSettings, capsys)
    assert "BONDLINE_JWT_TTL_MINUTES" in err and "hunter2" not in err


def test_secret_shorter_than_the_hash_is_refused(monkeypatch, capsys):
    monkeypatch.setenv("BONDLINE_JWT_SECRET", "s" * 20)
    assert "BONDLINE_JWT_SECRET" in refused(CommonSettings, capsys)


@pytest.mark.parametrize("url, expected", [
    ("postgres://u:p%40ss@db:5432/bondline", "postgresql+asyncpg://u:p%40ss@db:5432/bondline"),
    ("postgresql://u@127.0.0.1/intake", "postgresql+asyncpg://u@127.0.0.1/intake"),
    ("postgresql+asyncpg://u@h/x", "postgresql+asyncpg://u@h/x"),
    ("sqlite:///var/intake.db", "sqlite+aiosqlite:///var/intake.db"),
    ("sqlite+aiosqlite:////abs/path.db", "sqlite+aiosqlite:////abs/path.db"),
])
def test_normalize_url_picks_the_async_driver(url, expected):
    assert normalize_url(url) == expected


@pytest.mark.parametrize("url", ["mysql://u@h/db", "postgresql+psycopg2://u@h/db", "oracle://h/x"])
def test_normalize_url_refuses_other_databases(url):
    with pytest.raises(ValueError, match="unsupported database URL scheme"):
        normalize_url(url)


def _fetch_wait(service: str) -> int:
    import importlib

    from services.kit.runtime import Runtime
    rt = Runtime(importlib.import_module(f"services.{service}.bootstrap").define())
    return rt.kafka.fetch_max_wait_ms


def test_each_consumer_long_polls_as_its_service_says(monkeypatch, tmp_path):
    for name in ("INTAKE", "REPAIR", "DISPATCH"):
        monkeypatch.setenv(f"{name}_DATABASE_URL", f"sqlite:///{tmp_path}/{name}.db")
    # repair is on the propagation path: the project-wide bound; intake and dispatch poll less often
    assert [_fetch_wait(s) for s in ("intake", "repair", "dispatch")] == [250, 10, 100]
    monkeypatch.setenv("KAFKA_FETCH_MAX_WAIT_MS", "20")
    monkeypatch.setenv("DISPATCH_KAFKA_FETCH_MAX_WAIT_MS", "500")
    assert [_fetch_wait(s) for s in ("intake", "repair", "dispatch")] == [250, 20, 500]


def test_fetch_wait_out_of_range_names_the_variable(monkeypatch, capsys):
    monkeypatch.setenv("INTAKE_KAFKA_FETCH_MAX_WAIT_MS", "0")
    assert "invalid setting INTAKE_KAFKA_FETCH_MAX_WAIT_MS" in refused(IntakeSettings, capsys)


def _pem(tmp_path, name: str) -> str:
    path = tmp_path / name
    path.write_text("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
    return str(path)


def test_kafka_is_plaintext_unless_told(monkeypatch):
    common = load(CommonSettings)
    assert common.kafka_security_protocol == "PLAINTEXT" and common.kafka_ssl_check_hostname is True
    assert common.kafka_sasl_mechanism is None and common.kafka_ssl_ca_file is None


@pytest.mark.parametrize("unset", ["KAFKA_SASL_MECHANISM", "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"])
def test_sasl_needs_mechanism_user_and_password(monkeypatch, capsys, unset):
    env = {"KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
           "KAFKA_SASL_USERNAME": "bondline-intake", "KAFKA_SASL_PASSWORD": "sasl-pw-do-not-print"}
    for name, value in env.items():
        if name != unset:
            monkeypatch.setenv(name, value)
    err = refused(CommonSettings, capsys)
    assert "KAFKA_SECURITY_PROTOCOL=SASL_SSL needs" in err and f"not set: {unset}" in err
    assert "sasl-pw-do-not-print" not in err


def test_sasl_ssl_with_scram_loads_and_hides_the_password(monkeypatch):
    for name, value in {"KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_MECHANISM": "SCRAM-SHA-256",
                        "KAFKA_SASL_USERNAME": "u", "KAFKA_SASL_PASSWORD": "sasl-pw-do-not-print"}.items():
        monkeypatch.setenv(name, value)
    common = load(CommonSettings)
    assert common.kafka_sasl_password is not None
    assert common.kafka_sasl_password.get_secret_value() == "sasl-pw-do-not-print"
    assert "sasl-pw-do-not-print" not in repr(common) and "sasl-pw-do-not-print" not in str(common.model_dump())


def test_an_unknown_sasl_mechanism_names_the_variable(monkeypatch, capsys):
    monkeypatch.setenv("KAFKA_SASL_MECHANISM", "GSSAPI")
    assert "invalid setting KAFKA_SASL_MECHANISM" in refused(CommonSettings, capsys)


@pytest.mark.parametrize("var", ["KAFKA_SSL_CA_FILE", "KAFKA_SSL_CERT_FILE", "KAFKA_SSL_KEY_FILE"])
def test_a_missing_tls_file_names_the_setting(monkeypatch, capsys, tmp_path, var):
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SSL")
    for name in ("KAFKA_SSL_CA_FILE", "KAFKA_SSL_CERT_FILE", "KAFKA_SSL_KEY_FILE"):
        monkeypatch.setenv(name, str(tmp_path / "nowhere.pem") if name == var else _pem(tmp_path, f"{name}.pem"))
    err = refused(CommonSettings, capsys)
    assert f"{var}={tmp_path / 'nowhere.pem'}: no such file" in err


def test_a_client_cert_without_its_key_is_refused(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SSL")
    monkeypatch.setenv("KAFKA_SSL_CERT_FILE", _pem(tmp_path, "client.pem"))
    assert "KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together" in refused(CommonSettings, capsys)


def test_tls_settings_load(monkeypatch, tmp_path):
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SSL")
    monkeypatch.setenv("KAFKA_SSL_CA_FILE", _pem(tmp_path, "ca.pem"))
    monkeypatch.setenv("KAFKA_SSL_CERT_FILE", _pem(tmp_path, "client.pem"))
    monkeypatch.setenv("KAFKA_SSL_KEY_FILE", _pem(tmp_path, "client.key"))
    monkeypatch.setenv("KAFKA_SSL_KEY_PASSWORD", "key-pw-do-not-print")
    monkeypatch.setenv("KAFKA_SSL_CHECK_HOSTNAME", "false")
    common = load(CommonSettings)
    assert common.kafka_ssl_ca_file == tmp_path / "ca.pem" and common.kafka_ssl_check_hostname is False
    assert "key-pw-do-not-print" not in repr(common)


def test_load_never_echoes_a_password(monkeypatch, capsys):
    from pydantic_settings import BaseSettings

    class Strict(BaseSettings):  # a password that fails validation: its value must not be printed
        kafka_sasl_password: int = 0
        kafka_ssl_key_password: int = 0

    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "sasl-pw-do-not-print")
    monkeypatch.setenv("KAFKA_SSL_KEY_PASSWORD", "key-pw-do-not-print")
    err = refused(Strict, capsys)
    assert "invalid setting KAFKA_SASL_PASSWORD" in err and "invalid setting KAFKA_SSL_KEY_PASSWORD" in err
    assert "do-not-print" not in err
