"""Intake settings (env prefix INTAKE_)."""
from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from services.intake.domain.inspection import DEFAULT_RATES
from services.intake.domain.owners import CreditTier
from services.kit.settings import Port, ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")
    port: Port = 8001
    # intake consumes only dispatch's shipped events, where a quarter second does not matter; on Tansu an
    # idle consumer costs a fetch per wait, so intake polls less often than the flow's hot consumers
    kafka_fetch_max_wait_ms: int | None = Field(250, ge=1, le=5000)
    inspection_rates: dict[CreditTier, float] = Field(
        default_factory=lambda: dict(DEFAULT_RATES),
        description='JSON, e.g. {"general": 0.1, "certified": 0.05, ...}: share of declarations selected')
    entry_record_list_pattern: str = r"^[A-Z0-9]{18}$"
    customs_declaration_pattern: str = r"^\d{18}$"
    gate_pass_pattern: str = r"^[A-Z0-9]{10,24}$"
    # years after the current one (in China) that an inventory list number's year may be: 0 refuses any
    # later year; 1 tolerates a clock behind the customs platform's at New Year
    document_year_tolerance: int = Field(0, ge=0, le=5)
    customs_platform_url: str | None = Field(
        None, description="the customs platform's adapter (make run: the simulator at http://127.0.0.1:8009): entry "
                          "lists and gate passes go there and customs' receipts give their numbers and decide "
                          "inspection; unset: clerks type the numbers and inspection is drawn by credit tier")
    customs_poll_interval_s: float = Field(1.0, gt=0, le=3600, description="how often receipts are read")

    @field_validator("inspection_rates")
    @classmethod
    def _all_tiers_between_0_and_1(cls, rates: dict[CreditTier, float]) -> dict[CreditTier, float]:
        missing = [t.value for t in CreditTier if t not in rates]
        if missing:
            raise ValueError(f"missing tiers {missing}")
        if any(not 0 <= r <= 1 for r in rates.values()):
            raise ValueError("rates must be between 0 and 1")
        return rates
