"""Repair settings (env prefix REPAIR_)."""
from pydantic_settings import SettingsConfigDict

from services.kit.settings import ServiceSettings


class RepairSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REPAIR_", extra="ignore")
    port: int = 8002
