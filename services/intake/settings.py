"""Intake settings (env prefix INTAKE_)."""
from pydantic_settings import SettingsConfigDict

from services.kit.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")
    port: int = 8001
