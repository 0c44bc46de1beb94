"""Repair settings (env prefix REPAIR_)."""
from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from services.kit.settings import Port, ServiceSettings
from services.kit.web.zone import check_zone


class RepairSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REPAIR_", extra="ignore")
    port: Port = 8002
    old_part_disposal_days: int = Field(
        90, ge=1, le=3650,
        description="days from a part's removal to its disposal deadline, as the centre's repair plan sets them")
    bench_timezone: str = Field("Asia/Shanghai",
                                description="the zone the repair bench shows times in (IANA); stored times stay UTC")

    @field_validator("bench_timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        return check_zone(v)
