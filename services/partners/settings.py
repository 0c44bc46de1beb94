"""Partners settings (env prefix PARTNERS_): the owners' API, feed and webhooks."""
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.kit.settings import Port, ServiceSettings


class PartnersSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PARTNERS_", extra="ignore")
    port: Port = 8004
    # owners' feeds and webhooks do not notice 100 ms; on Tansu an idle consumer costs a fetch per wait
    kafka_fetch_max_wait_ms: int | None = Field(100, ge=1, le=5000)
    webhook_allow_private_targets: bool = Field(
        False, description="let webhooks call private, loopback and link-local addresses (tests and labs only)")
    webhook_retry_schedule_s: list[float] = Field(
        [5, 300, 1800, 7200, 18000, 36000, 36000], min_length=1, max_length=20,
        description="seconds before each retry of a failed webhook delivery (±20 % jitter); then it fails")
    webhook_timeout_s: float = Field(10.0, gt=0, le=60, description="how long a webhook receiver may take to answer")
    webhook_poll_interval_s: float = Field(1.0, gt=0, le=60, description="how often due webhook deliveries are sent")
    webhook_concurrency: int = Field(8, ge=1, le=100, description="webhook requests in flight at once")
    webhook_secret_grace_hours: float = Field(
        24.0, ge=0, le=720, description="how long a rotated-out webhook secret still signs deliveries")
    repair_url: str = Field(
        "http://127.0.0.1:8002",
        description="repair's public URL, where owners send quote decisions (shown in /v1/owner/quotes)")
    import_from_url: str | None = Field(
        None, description="the dispatch database to take the journal, unit status and webhooks from on the first "
                          "start after an upgrade (default: DISPATCH_DATABASE_URL, else dispatch's SQLite file)")
