"""`Idempotency-Key` on POSTs: a retried request gets the first result and creates nothing twice."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
    app.add_middleware(Idempotency, sessions=sessions, table=table)


class Idempotency:
    """Pure ASGI middleware: POSTs with an Idempotency-Key are claimed, run once, and remembered."""

    def __init__(self, app: ASGIApp, sessions: async_sessionmaker[AsyncSession], table: Table) -> None:
        self.app, self.sessions, self.table = app, sessions, table

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = dict(scope.get("headers") or []).get(b"idempotency-key") if scope["type"] == "http" else None
        if key is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        if not 1 <= len(key) <= 200:
            await JSONResponse({"detail": "Idempotency-Key must be 1 to 200 characters"}, 400)(scope, receive, send)
            return
        body = await _read_body(receive)
        ident = {"key": key.decode(errors="replace"), "method": "POST", "path": scope["path"]}
        early = await _claim(self.sessions, self.table, ident, hashlib.sha256(body).hexdigest())
        if early is not None:
            await early(scope, receive, send)
            return
        sent: dict = {"status": 500, "body": b""}

        async def replay_body() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent["status"] = message["status"]
            elif message["type"] == "http.response.body":
                sent["body"] += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, replay_body, capture)
        finally:
            await _remember(self.sessions, self.table, ident, sent["status"], sent["body"])


async def _read_body(receive: Receive) -> bytes:
    chunks, more = [], True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


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


async def _remember(sessions: async_sessionmaker[AsyncSession], t: Table, ident: dict, status: int,
                    body: bytes) -> None:
    where = [t.c[k] == v for k, v in ident.items()]
    async with sessions() as s, s.begin():
        if 200 <= status < 300:
            await s.execute(update(t).where(*where).values(status_code=status, body=body.decode()))
        else:  # failures are not remembered: a corrected retry may succeed
            await s.execute(delete(t).where(*where))
