"""Settings: one validated class per service (env prefix per service) plus the project-wide ones."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "bondline-development-secret-change-me"
S = TypeVar("S", bound=BaseSettings)
Port = Annotated[int, Field(ge=1, le=65535)]


class CommonSettings(BaseSettings):
    """Project-wide settings (no service prefix), shared by the three services."""

    model_config = SettingsConfigDict(extra="ignore")
    bondline_env: Literal["development", "test", "production"] = "development"
    bondline_jwt_secret: str = Field(DEV_JWT_SECRET, min_length=32)
    bondline_jwt_ttl_minutes: int = Field(720, ge=1)
    bondline_oidc_issuer: str | None = None
    """The zone's OpenID provider (its JWKS is found from ``<issuer>/.well-known/openid-configuration``); unset:
    only the HS256 development tokens (refused under production)."""
    bondline_oidc_audience: str = "urn:bondline:api"
    """The ``aud`` an access token must carry (the API's resource indicator at the provider)."""
    bondline_oidc_roles_claim: str = "roles"
    """Where the roles are: a claim name or a dotted path (``realm_access.roles``); a list or a string."""
    bondline_oidc_owner_claim: str = "owner_id"
    """The claim (or dotted path) that binds a partner's token to its owner."""
    bondline_oidc_algorithms: list[str] = ["RS256", "ES256"]
    bondline_oidc_jwks_refresh_s: float = Field(30.0, ge=0)
    """An unknown ``kid`` refetches the JWKS at most once per this many seconds."""
    bondline_oidc_leeway_s: int = Field(30, ge=0, le=300)
    bondline_oidc_desk_client_id: str | None = None
    """The desk's client at the provider (authorization code + PKCE); unset: the desk's token sign-in."""
    bondline_oidc_desk_client_secret: str | None = None
    bondline_oidc_service_client_id: str | None = None
    """The services' own client (client credentials, role ``service``) for each other's ``/v1/events`` when an
    issuer is set; unset: HS256 service tokens (development and test only)."""
    bondline_oidc_service_client_secret: str | None = None
    bondline_desk_session_minutes: int = Field(480, ge=1)
    bondline_var_dir: Path = Path("var")
    bondline_log_format: Literal["console", "json"] | None = None
    """JSON lines or one readable line per record; unset: json under production, console otherwise."""
    bondline_traces_dir: Path | None = None
    """Write each process's spans as JSON lines here (a look at traces without a collector); OTLP export is
    the standard OTEL_EXPORTER_OTLP_ENDPOINT."""
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_enable_idempotence: bool = False
    kafka_fetch_max_wait_ms: int = Field(10, ge=1, le=5000)
    kafka_session_timeout_ms: int = Field(10_000, ge=1000)
    kafka_request_timeout_ms: int = Field(10_000, ge=1000)
    kafka_topic_partitions: int = Field(4, ge=1)
    kafka_replication_factor: int = Field(1, ge=1)
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    """How the clients reach the brokers: SSL and SASL_SSL encrypt (TLS), SASL_* authenticate with a user."""
    kafka_ssl_ca_file: Path | None = None
    """PEM file of the CA(s) that signed the brokers' certificates; unset: the system trust store."""
    kafka_ssl_cert_file: Path | None = None
    """PEM client certificate (mutual TLS), with KAFKA_SSL_KEY_FILE."""
    kafka_ssl_key_file: Path | None = None
    kafka_ssl_key_password: SecretStr | None = None
    kafka_ssl_check_hostname: bool = True
    """The broker's certificate must name the host in KAFKA_BOOTSTRAP_SERVERS (and the advertised ones)."""
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    bondline_peer_urls: dict[str, str] = {}
    """Where each service's API answers for the others (``GET /v1/events`` to fetch missed events):
    JSON ``{"intake": "http://intake:8001", ...}``; a service not named here is found from its own
    ``<NAME>_PUBLIC_URL``, else ``http://<NAME>_HOST:<NAME>_PORT`` (defaults 127.0.0.1 and 8001/8002/8003)."""

    @model_validator(mode="after")
    def _refuse_dev_secret_in_production(self) -> CommonSettings:
        if self.bondline_env == "production" and self.bondline_jwt_secret == DEV_JWT_SECRET:
            raise ValueError("BONDLINE_JWT_SECRET is the development default; set a secret for production")
        if self.bondline_env == "production" and not self.bondline_oidc_issuer:
            raise ValueError("BONDLINE_OIDC_ISSUER is required in production: only the identity provider's tokens "
                             "are accepted there (HS256 tokens are for development and tests)")
        if self.bondline_env == "production" and not self.bondline_oidc_service_client_id:
            raise ValueError("BONDLINE_OIDC_SERVICE_CLIENT_ID (and _SECRET) is required in production: the services "
                             "ask each other for missed events with the provider's tokens, HS256 ones are refused")
        return self

    @model_validator(mode="after")
    def _kafka_security_complete(self) -> CommonSettings:
        protocol = self.kafka_security_protocol
        if protocol.startswith("SASL_"):
            missing = [name for name, value in (("KAFKA_SASL_MECHANISM", self.kafka_sasl_mechanism),
                                                ("KAFKA_SASL_USERNAME", self.kafka_sasl_username),
                                                ("KAFKA_SASL_PASSWORD", self.kafka_sasl_password)) if not value]
            if missing:
                raise ValueError(f"KAFKA_SECURITY_PROTOCOL={protocol} needs KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME "
                                 f"and KAFKA_SASL_PASSWORD; not set: {', '.join(missing)}")
        if protocol in ("SSL", "SASL_SSL"):
            for name, path in (("KAFKA_SSL_CA_FILE", self.kafka_ssl_ca_file),
                               ("KAFKA_SSL_CERT_FILE", self.kafka_ssl_cert_file),
                               ("KAFKA_SSL_KEY_FILE", self.kafka_ssl_key_file)):
                if path is not None and not path.is_file():
                    raise ValueError(f"{name}={path}: no such file (or not a file)")
            if bool(self.kafka_ssl_cert_file) != bool(self.kafka_ssl_key_file):
                raise ValueError("KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together (mutual TLS): "
                                 "set both or neither")
        return self


class ServiceSettings(BaseSettings):
    """Per-service settings; subclasses set ``env_prefix`` (INTAKE_, REPAIR_, DISPATCH_) and defaults."""

    model_config = SettingsConfigDict(extra="ignore")
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: Port = 8000
    public_url: str | None = None
    run_relay: bool = True
    run_consumer: bool = True
    relay_batch_size: int = Field(500, ge=1, le=10_000)
    relay_poll_interval_s: float = Field(1.0, gt=0)
    outbox_retention_hours: float = Field(168, gt=0)
    consumer_max_attempts: int = Field(5, ge=1, le=100)
    gap_check_interval_s: float = Field(10.0, gt=0)
    """How often the consumer compares each producer's high-water marks with what it has applied."""
    gap_check_grace_s: float = Field(30.0, ge=0)
    """Events published more recently than this are still in flight, not missing."""
    idempotency_retention_hours: float = Field(24, gt=0)
    """How long a remembered Idempotency-Key answer is kept (then purged in the background)."""
    idempotency_abandoned_after_s: float = Field(60, gt=0)
    """A claimed key with no answer after this long was left by a crashed request; a retry may run."""
    db_pool_size: int = Field(20, ge=1)
    kafka_fetch_max_wait_ms: int | None = Field(None, ge=1, le=5000)
    """This service's consumer long-poll bound; None: the project-wide KAFKA_FETCH_MAX_WAIT_MS."""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    metrics_port: Port | None = None
    """A relay or consumer process run on its own (``relay``/``consumer`` commands) serves its ``/metrics`` here
    (consumer lag, publish counters, process metrics); the API process serves them on its own port."""

    def url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"


def load(cls: type[S]) -> S:
    """Build settings or exit with a message that names the environment variable at fault."""
    try:
        return cls()
    except ValidationError as exc:
        prefix = cls.model_config.get("env_prefix", "")
        lines = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"])
            name = f"{prefix}{field}".upper() if field else "settings"
            shown = "" if "SECRET" in name or "PASSWORD" in name else f" (got {err.get('input')!r})"
            lines.append(f"invalid setting {name}: {err['msg']}{shown}" if field
                         else f"invalid settings: {err['msg']}")
        print("bondline: refusing to start\n  " + "\n  ".join(lines), file=sys.stderr)
        raise SystemExit(2) from None


DEFAULT_PORTS = {"intake": 8001, "repair": 8002, "dispatch": 8003, "partners": 8004}


def peer_urls(common: CommonSettings, names: list[str]) -> dict[str, str]:
    """Each named service's API URL, for the others: BONDLINE_PEER_URLS, else its own env settings."""
    out = {}
    for name in names:
        env = name.upper()
        public = os.environ.get(f"{env}_PUBLIC_URL")
        host = os.environ.get(f"{env}_HOST", "127.0.0.1")
        port = os.environ.get(f"{env}_PORT", str(DEFAULT_PORTS.get(name, 8000)))
        out[name] = common.bondline_peer_urls.get(name) or public or f"http://{host}:{port}"
    return out
