"""Dispatch settings (env prefix DISPATCH_)."""
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from services.kit.settings import Port, ServiceSettings


class DispatchSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DISPATCH_", extra="ignore")
    port: Port = 8003
    # dispatch's readers (the desk refreshing every 3 s, owners' feed and webhooks) do not notice 100 ms;
    # on Tansu an idle consumer costs a fetch per wait, so dispatch polls less often than repair
    kafka_fetch_max_wait_ms: int | None = Field(100, ge=1, le=5000)
    vat_rate: Decimal = Field(Decimal("0.13"), ge=0, le=1, description="import VAT rate on domestic release")
    ledger_cycle_days: int = Field(730, ge=1, le=3650, description="longest stay of an item in the bonded ledger")
    ledger_warning_days: int = Field(60, ge=0, le=3650, description="flag items this many days before their cycle ends")
    disposal_warning_days: int = Field(14, ge=0, le=3650,
                                       description="flag old parts this many days before their disposal deadline")
    customs_platform_url: str | None = Field(None, description="the customs platform's adapter (make run: the "
                                             "simulator at http://127.0.0.1:8009); unset: filings wait unsent")
    customs_poll_interval_s: float = Field(1.0, gt=0, le=3600, description="how often receipts are read")
    desk_timezone: str = Field("Asia/Shanghai", description="the zone the desk shows times and counts days in (IANA)")

    @field_validator("desk_timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r}: use an IANA name such as Asia/Shanghai") from None
        return v
