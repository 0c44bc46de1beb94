"""Repair settings (env prefix REPAIR_)."""
from pydantic_settings import SettingsConfigDict

from services.kit.settings import Port, ServiceSettings


class RepairSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REPAIR_", extra="ignore")
    port: Port = 8002
