"""Dispatch settings (env prefix DISPATCH_)."""
from decimal import Decimal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.kit.settings import Port, ServiceSettings


class DispatchSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DISPATCH_", extra="ignore")
    port: Port = 8003
    vat_rate: Decimal = Field(Decimal("0.13"), ge=0, le=1, description="import VAT rate on domestic release")
