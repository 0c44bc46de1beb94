"""`Idempotency-Key` on POSTs: a retried request gets the first result and creates nothing twice."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from services.kit.db import UtcDateTime

ABANDONED_AFTER = timedelta(seconds=60)  # a pending key older than this was left by a crashed request


def idempotency_table(metadata: MetaData) -> Table:
    return Table(
        "idempotency_keys", metadata,
        Column("key", String(200), primary_key=True), Column("method", String(8), primary_key=True),
        Column("path", String(500), primary_key=True), Column("request_hash", String(64), nullable=False),
        Column("status_code", Integer, nullable=True), Column("body", Text, nullable=True),
        Column("created_at", UtcDateTime, nullable=False))


def install(app: FastAPI, sessions: async_sessionmaker[AsyncSession], table: Table) -> None:
    class Idempotency(BaseHTTPMiddleware):
        async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
            key = request.headers.get("idempotency-key")
            if request.method != "POST" or key is None:
                return await call_next(request)
            if not 1 <= len(key) <= 200:
                return JSONResponse({"detail": "Idempotency-Key must be 1 to 200 characters"}, 400)
            ident = {"key": key, "method": request.method, "path": request.url.path}
            digest = hashlib.sha256(await request.body()).hexdigest()
            early = await _claim(sessions, table, ident, digest)
            if early is not None:
                return early
            response = await call_next(request)
            return await _remember(sessions, table, ident, response)

    app.add_middleware(Idempotency)


async def _claim(sessions: async_sessionmaker[AsyncSession], t: Table, ident: dict, digest: str) -> Response | None:
    now = datetime.now(timezone.utc)
    async with sessions() as s, s.begin():
        row = (await s.execute(select(t).where(*(t.c[k] == v for k, v in ident.items())))).first()
        if row is None:
            try:
                async with s.begin_nested():
                    await s.execute(insert(t).values(**ident, request_hash=digest, created_at=now))
                return None
            except IntegrityError:
                return _in_progress()
        if row.request_hash != digest:
            return JSONResponse({"detail": "Idempotency-Key was already used with a different request body"}, 422)
        if row.status_code is not None:
            return Response(row.body, row.status_code, media_type="application/json",
                            headers={"Idempotent-Replayed": "true"})
        if now - row.created_at < ABANDONED_AFTER:
            return _in_progress()
        await s.execute(update(t).where(*(t.c[k] == v for k, v in ident.items())).values(created_at=now))
        return None


def _in_progress() -> Response:
    return JSONResponse({"detail": "a request with this Idempotency-Key is still in progress; retry later"}, 409)


async def _remember(sessions: async_sessionmaker[AsyncSession], t: Table, ident: dict,
                    response: Response) -> Response:
    body = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
    where = [t.c[k] == v for k, v in ident.items()]
    async with sessions() as s, s.begin():
        if 200 <= response.status_code < 300:
            await s.execute(update(t).where(*where).values(status_code=response.status_code, body=body.decode()))
        else:  # failures are not remembered: a corrected retry may succeed
            await s.execute(delete(t).where(*where))
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return Response(body, response.status_code, headers=headers, media_type=response.media_type)
