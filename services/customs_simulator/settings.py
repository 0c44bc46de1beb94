"""The simulator's settings (prefix CUSTOMS_SIM_)."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.customs_simulator.platform import DEFAULT_RATES, Tier

Port = Annotated[int, Field(ge=1, le=65535)]


class SimulatorSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CUSTOMS_SIM_", extra="ignore")
    host: str = "127.0.0.1"
    port: Port = 8009
    release_delay_s: float = Field(2.0, ge=0, description="from acceptance (or a passed inspection) to release")
    inspection_delay_s: float = Field(2.0, ge=0, description="from the inspection instruction to its result")
    rates: dict[Tier, float] = Field(default_factory=lambda: dict(DEFAULT_RATES),
                                     description="JSON: credit tier -> share of lists selected for inspection")
    enterprises: dict[str, Tier] = Field(default_factory=dict,
                                         description="JSON: owner customs code -> credit tier (unknown: general)")
    tick_s: float = Field(0.2, gt=0, description="how often scheduled receipts are issued")
