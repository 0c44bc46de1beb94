"""The baseline: a bare FastAPI + SQLAlchemy (asyncpg) app inserting the same unit row.

No events, no outbox, no auth, no domain layer: what intake's receive endpoint costs above the floor.
Run by the benchmark as `uvicorn tests.bench.baseline_app:app` with BENCH_BASELINE_DATABASE_URL set.
"""
from __future__ import annotations

import contextlib
import os
import uuid
from datetime import datetime, timezone
from decimal import Decimal
from typing import Annotated, AsyncIterator

from fastapi import Depends, FastAPI
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import JSON, DateTime, Index, Integer, Numeric, String, Text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

engine = create_async_engine(os.environ["BENCH_BASELINE_DATABASE_URL"], pool_size=20, max_overflow=20)
sessions = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class UnitRow(Base):
    """Same columns, types and indexes as intake's `units` table."""

    __tablename__ = "units"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(64), index=True)
    serial_number: Mapped[str] = mapped_column(String(100))
    part_number: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    hs_code: Mapped[str] = mapped_column(String(10), index=True)
    origin: Mapped[str] = mapped_column(String(10))
    origin_country: Mapped[str | None] = mapped_column(String(2))
    declared_value: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3))
    warranty: Mapped[bool] = mapped_column(default=False)
    fault_description: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(32), index=True)
    custody_location: Mapped[str] = mapped_column(String(64))
    documents: Mapped[dict] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(200))
    updated_by: Mapped[str] = mapped_column(String(200))
    __table_args__ = (Index("ix_units_serial_number", "serial_number"),)


class UnitIn(BaseModel):
    owner_id: str = Field(min_length=1, max_length=64)
    serial_number: str = Field(min_length=1, max_length=100)
    part_number: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=2000)
    hs_code: str
    origin: str
    origin_country: str | None = None
    declared_value: Decimal = Field(max_digits=16, decimal_places=2)
    currency: str
    warranty: bool = False
    fault_description: str = Field("", max_length=4000)


class UnitOut(UnitIn):
    model_config = ConfigDict(from_attributes=True)
    id: str
    state: str
    custody_location: str
    documents: dict[str, str]
    received_at: datetime
    released_at: datetime | None
    version: int


async def session() -> AsyncIterator[AsyncSession]:
    async with sessions() as s:
        yield s


@contextlib.asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


app = FastAPI(title="bench baseline", lifespan=lifespan)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/v1/units", status_code=201, response_model=UnitOut)
async def receive(body: UnitIn, s: Annotated[AsyncSession, Depends(session)]) -> UnitRow:
    row = UnitRow(id=str(uuid.uuid4()), **body.model_dump(), state="received", custody_location="awaiting repair",
                  documents={}, received_at=datetime.now(timezone.utc), version=1,
                  created_by="bench", updated_by="bench")
    s.add(row)
    await s.commit()
    return row
