"""Dispatch settings (env prefix DISPATCH_)."""
from pydantic_settings import SettingsConfigDict

from services.kit.settings import ServiceSettings


class DispatchSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DISPATCH_", extra="ignore")
    port: int = 8003
