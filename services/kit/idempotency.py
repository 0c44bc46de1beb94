"""`Idempotency-Key` on POSTs: a retried request gets the first result and creates nothing twice.

Keys belong to the caller: the bearer token is verified first, and a key is remembered per principal
(role, subject and bound owner), so another caller reusing a key runs its own request, and a request
without a valid token goes straight to the app (which answers 401) with nothing claimed or replayed.
Answers are kept ``retention`` (older ones are never replayed, and ``purge_forever`` deletes them); a
claim with no answer after ``abandoned_after`` was left by a crashed request and a retry may take it over.
"""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import math
from datetime import datetime, timedelta
from typing import Any

import jwt
from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.kit.auth import verify_token
from services.kit.db import UtcDateTime
from shared.clock import utc_now
from shared.messaging.sql import rowcount

log = logging.getLogger("bondline.idempotency")
PURGE_EVERY_S = 300.0  # how often answers older than the retention window are deleted
PRINCIPAL_MAX = 300
Sessions = async_sessionmaker[AsyncSession]


def idempotency_table(metadata: MetaData) -> Table:
    return Table(
        "idempotency_keys", metadata,
        Column("principal", String(PRINCIPAL_MAX), primary_key=True),
        Column("key", String(200), primary_key=True), Column("method", String(8), primary_key=True),
        Column("path", String(500), primary_key=True), Column("request_hash", String(64), nullable=False),
        Column("status_code", Integer, nullable=True), Column("body", Text, nullable=True),
        Column("created_at", UtcDateTime, nullable=False, index=True))


def install(app: FastAPI, sessions: Sessions, table: Table, *, retention: timedelta,
            abandoned_after: timedelta) -> None:
    app.add_middleware(Idempotency, sessions=sessions, table=table, retention=retention,
                       abandoned_after=abandoned_after)


class Idempotency:
    """Pure ASGI middleware: authenticated POSTs with an Idempotency-Key are claimed, run once, and remembered."""

    def __init__(self, app: ASGIApp, sessions: Sessions, table: Table, retention: timedelta,
                 abandoned_after: timedelta) -> None:
        self.app, self.sessions, self.t = app, sessions, table
        self.retention, self.abandoned_after = retention, abandoned_after

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        key = headers.get(b"idempotency-key")
        principal = _principal(scope, headers.get(b"authorization")) if key is not None else None
        if key is None or principal is None:  # without a valid token the app answers 401; nothing is claimed
            await self.app(scope, receive, send)
            return
        if not 1 <= len(key) <= 200:
            await JSONResponse({"detail": "Idempotency-Key must be 1 to 200 characters"}, 400)(scope, receive, send)
            return
        body = await _read_body(receive)
        ident = {"principal": principal, "key": key.decode(errors="replace"), "method": "POST", "path": scope["path"]}
        claim = await self._claim(ident, hashlib.sha256(body).hexdigest())
        if isinstance(claim, Response):
            await claim(scope, receive, send)
            return
        sent: dict[str, Any] = {"status": 500, "body": b"", "remembered": False}

        async def replay_body() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent["status"] = message["status"]
            elif message["type"] == "http.response.body":
                sent["body"] += message.get("body", b"")
                if not message.get("more_body", False):  # remembered before the caller has the answer,
                    sent["remembered"] = True             # so its next retry is a replay, not a 409
                    await self._remember(ident, claim, sent["status"], sent["body"])
            await send(message)

        try:
            await self.app(scope, replay_body, capture)
        finally:
            if not sent["remembered"]:
                await self._remember(ident, claim, sent["status"], sent["body"])

    async def _claim(self, ident: dict[str, str], digest: str) -> Response | datetime:
        """Our claim's time, or the answer to give instead: a replay, 409 in progress, 422 other body."""
        t, now = self.t, utc_now()
        async with self.sessions() as s, s.begin():
            row = (await s.execute(select(t).where(*_where(t, ident)))).first()
            if row is None:
                try:
                    async with s.begin_nested():
                        await s.execute(insert(t).values(**ident, request_hash=digest, created_at=now))
                    return now
                except IntegrityError:  # a concurrent request claimed it a moment ago
                    return self._in_progress(now, now)
            if now - row.created_at >= self.retention:  # forgotten, even if not purged yet
                return await self._take_over(s, ident, row.created_at, digest, now)
            if row.request_hash != digest:
                return JSONResponse({"detail": "Idempotency-Key was already used with a different request body"},
                                    422)
            if row.status_code is not None:
                return Response(row.body, row.status_code, media_type="application/json",
                                headers={"Idempotent-Replayed": "true"})
            if now - row.created_at < self.abandoned_after:
                return self._in_progress(row.created_at, now)
            return await self._take_over(s, ident, row.created_at, digest, now)

    async def _take_over(self, s: AsyncSession, ident: dict[str, str], seen: datetime, digest: str,
                         now: datetime) -> Response | datetime:
        t = self.t  # only if nobody else took it over since we read it
        done = await s.execute(update(t).where(*_where(t, ident), t.c.created_at == seen)
                               .values(request_hash=digest, status_code=None, body=None, created_at=now))
        return now if rowcount(done) == 1 else self._in_progress(now, now)

    def _in_progress(self, claimed_at: datetime, now: datetime) -> Response:
        wait = max(1, math.ceil((claimed_at + self.abandoned_after - now).total_seconds()))
        return JSONResponse({"detail": f"a request with this Idempotency-Key is still in progress; "
                                       f"retry after {wait} s"}, 409, headers={"Retry-After": str(wait)})

    async def _remember(self, ident: dict[str, str], claimed_at: datetime, status: int, body: bytes) -> None:
        t = self.t
        where = [*_where(t, ident), t.c.created_at == claimed_at]  # still our claim, not a later one's
        async with self.sessions() as s, s.begin():
            if 200 <= status < 300:
                await s.execute(update(t).where(*where).values(status_code=status, body=body.decode(errors="replace")))
            else:  # failures are not remembered: a corrected retry may succeed
                await s.execute(delete(t).where(*where))


def _principal(scope: Scope, authorization: bytes | None) -> str | None:
    """Who the bearer token says the caller is, as stored in ``principal``; None without a valid token."""
    scheme, token = get_authorization_scheme_param(authorization.decode("latin-1") if authorization else None)
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        p = verify_token(scope["app"], token)
    except (jwt.InvalidTokenError, ValueError):
        return None
    name = p.actor + (f"@{p.owner_id}" if p.owner_id else "")
    return name if len(name) <= PRINCIPAL_MAX else "sha256:" + hashlib.sha256(name.encode()).hexdigest()


def _where(t: Table, ident: dict[str, str]) -> list[Any]:
    return [t.c[k] == v for k, v in ident.items()]


async def _read_body(receive: Receive) -> bytes:
    chunks, more = [], True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


async def purge(sessions: Sessions, table: Table, older_than: datetime) -> int:
    """Delete the keys claimed before ``older_than``; returns how many."""
    async with sessions() as s, s.begin():
        return rowcount(await s.execute(delete(table).where(table.c.created_at < older_than)))


async def purge_forever(sessions: Sessions, table: Table, retention: timedelta, stop: asyncio.Event,
                        every_s: float | None = None) -> None:
    """Purge now and then every ``every_s`` (default PURGE_EVERY_S) until ``stop``; a failure is retried."""
    while not stop.is_set():
        wait = PURGE_EVERY_S if every_s is None else every_s
        try:
            if gone := await purge(sessions, table, utc_now() - retention):
                log.info("purged %d idempotency keys older than %s", gone, retention)
        except Exception:  # the database may be away for a while; try again later
            log.warning("idempotency key purge failed; retrying in %.0f s", wait, exc_info=True)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), wait)


def add_principal(op: Any) -> None:
    """Migration step (all three services): keys scoped to the principal, an index for the purge.
    Existing rows are short-lived and could not be told apart by caller: they are dropped."""
    import sqlalchemy as sa

    op.execute(sa.text("DELETE FROM idempotency_keys"))
    with op.batch_alter_table("idempotency_keys") as b:
        b.add_column(sa.Column("principal", sa.String(300), nullable=False))
        b.drop_constraint("pk_idempotency_keys", type_="primary")
        b.create_primary_key("pk_idempotency_keys", ["principal", "key", "method", "path"])
        b.create_index("ix_idempotency_keys_created_at", ["created_at"], unique=False)


def drop_principal(op: Any) -> None:
    import sqlalchemy as sa

    op.execute(sa.text("DELETE FROM idempotency_keys"))
    with op.batch_alter_table("idempotency_keys") as b:
        b.drop_index("ix_idempotency_keys_created_at")
        b.drop_constraint("pk_idempotency_keys", type_="primary")
        b.create_primary_key("pk_idempotency_keys", ["key", "method", "path"])
        b.drop_column("principal")
