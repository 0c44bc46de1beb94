"""Repair settings (env prefix REPAIR_)."""
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.kit.settings import Port, ServiceSettings


class RepairSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REPAIR_", extra="ignore")
    port: Port = 8002
    old_part_disposal_days: int = Field(
        90, ge=1, le=3650,
        description="days from a part's removal to its disposal deadline, as the centre's repair plan sets them")
