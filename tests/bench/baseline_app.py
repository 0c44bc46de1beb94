"""The baseline: a bare FastAPI + SQLAlchemy (asyncpg) app doing the same writes as intake's measured one.

POST /v1/repair-requests with the same body schema, inserting the same rows into the same tables
(repair_requests, units, unit_history; intake's own table definitions, so they stay equivalent) in one
transaction. No auth, no owner/catalogue/serial checks, no events, no outbox, no middleware: the floor
that intake's endpoint is compared with. Run as `uvicorn tests.bench.baseline_app:app` with
BENCH_BASELINE_DATABASE_URL set.
"""
from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Annotated

from fastapi import Depends, FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from services.intake.api.schemas import RepairRequestIn, RepairRequestOut, UnitOut
from services.intake.db.tables import OwnerRow, RepairRequestRow, UnitHistoryRow, UnitRow

OWNER, ACTOR = "bench-owner", "bench"
engine = create_async_engine(os.environ["BENCH_BASELINE_DATABASE_URL"], pool_size=20, max_overflow=20)
sessions = async_sessionmaker(engine, expire_on_commit=False)
TABLES = [OwnerRow.__table__, RepairRequestRow.__table__, UnitRow.__table__, UnitHistoryRow.__table__]


async def session() -> AsyncIterator[AsyncSession]:
    async with sessions() as s:
        yield s


@contextlib.asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: TABLES[0].metadata.create_all(c, tables=TABLES))
    async with sessions() as s, s.begin():
        if await s.get(OwnerRow, OWNER) is None:
            s.add(OwnerRow(id=OWNER, name="bench", kind="overseas", country="KR", credit_tier="advanced_certified",
                           contacts=[], version=1, created_by=ACTOR, updated_by=ACTOR))
    yield
    await engine.dispose()


app = FastAPI(title="bench baseline", lifespan=lifespan)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/v1/repair-requests", status_code=201, response_model=RepairRequestOut)
async def submit(body: RepairRequestIn, s: Annotated[AsyncSession, Depends(session)]) -> RepairRequestOut:
    now, request_id = datetime.now(timezone.utc), str(uuid.uuid4())
    domestic = body.origin == "domestic"
    origin, country = ("domestic", None) if domestic else ("foreign", body.origin)
    s.add(RepairRequestRow(id=request_id, owner_id=body.owner_id, origin=origin, origin_country=country,
                           catalogue_version=1, created_at=now, created_by=ACTOR))
    rows = [UnitRow(id=str(uuid.uuid4()), request_id=request_id, owner_id=body.owner_id, origin=origin,
                    origin_country=country, catalogue_version=1, state="announced", custody_location="not arrived",
                    documents={}, customs_released=False, condition_notes="", discrepancy={}, announced_at=now,
                    version=1, created_by=ACTOR, updated_by=ACTOR, **u.model_dump())
            for u in body.units]
    s.add_all(rows)
    await s.flush()  # the units exist before their history (as in intake: unit insert, then history insert)
    s.add_all([UnitHistoryRow(unit_id=r.id, at=now, actor=ACTOR, action="announce", from_state=None,
                              to_state="announced", documents={}, note="eligible under catalogue version 1")
               for r in rows])
    await s.commit()
    return RepairRequestOut(request_id=request_id,
                            units=[UnitOut.model_validate(r, from_attributes=True) for r in rows])
