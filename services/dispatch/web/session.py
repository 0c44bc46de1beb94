"""Who is at the desk: a server-side session in dispatch's database, named by a random id in an HttpOnly cookie.

The cookie (SameSite=Lax, or Strict for the development form's sign-in; Secure under production or https) holds
only a random id; the ``desk_sessions`` row (its SHA-256, the principal, the expiry, the ID token for the provider's
logout) is the session, so logout deletes it and a stolen cookie dies with it. Pages need dispatcher, customs_officer
or compliance_officer (admin always may); actions need dispatcher. Every form that changes something carries a CSRF
token derived from the session id (HMAC with the JWT secret).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Annotated, Literal

import jwt
from fastapi import Depends, Request, Response
from sqlalchemy import delete, select

from services.dispatch.db.tables import DeskSessionRow
from services.kit.auth import Principal, Role, verify_token
from shared import logcontext
from shared.clock import utc_now

COOKIE = "desk_session"
READERS = {Role.dispatcher, Role.customs_officer, Role.compliance_officer, Role.admin}  # compliance: sees holds
WRITERS = {Role.dispatcher, Role.admin}


class PageError(Exception):
    """Rendered as a page (or, for the login, a redirect) by web.install's handler."""

    def __init__(self, status: int, key: str, **values: object) -> None:
        super().__init__(key)
        self.status, self.key, self.values = status, key, values


class LoginRequired(Exception):
    pass


def principal(request: Request, token: str) -> Principal:
    try:
        return verify_token(request.app, token)
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise PageError(401, "login_failed", reason=str(exc)) from None


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def secure_cookies(request: Request) -> bool:
    """Secure under production (and on https); development and test serve the desk on plain http://127.0.0.1."""
    return request.app.state.runtime.d.common.bondline_env == "production" or request.url.scheme == "https"


async def open_session(request: Request, response: Response, who: Principal, until: datetime,
                       id_token: str | None = None, samesite: Literal["lax", "strict"] = "lax") -> None:
    """Store a new session for ``who`` and set its cookie on ``response`` (Lax: the provider's redirect back is a
    cross-site navigation; the development form's sign-in, same-site throughout, may use Strict)."""
    sid, now = secrets.token_urlsafe(32), utc_now()
    limit = now + timedelta(minutes=request.app.state.runtime.d.common.bondline_desk_session_minutes)
    row = DeskSessionRow(id_hash=_hash(sid), subject=who.subject, role=who.role.value, owner_id=who.owner_id,
                         id_token=id_token, created_at=now, expires_at=min(until, limit))
    async with request.app.state.runtime.sessions() as s, s.begin():
        await s.execute(delete(DeskSessionRow).where(DeskSessionRow.expires_at < now))  # ended ones, by index
        s.add(row)
    response.set_cookie(COOKIE, sid, httponly=True, samesite=samesite, path="/desk", secure=secure_cookies(request))


async def session_row(request: Request) -> DeskSessionRow | None:
    sid = request.cookies.get(COOKIE)
    if not sid:
        return None
    async with request.app.state.runtime.sessions() as s:
        row = await s.scalar(select(DeskSessionRow).where(DeskSessionRow.id_hash == _hash(sid)))
    return row if row is not None and row.expires_at > utc_now() else None


async def close_session(request: Request) -> DeskSessionRow | None:
    """Delete this request's session row (logout); returns it (for the ID token) if there was one."""
    row = await session_row(request)
    sid = request.cookies.get(COOKIE)
    if sid:
        async with request.app.state.runtime.sessions() as s, s.begin():
            await s.execute(delete(DeskSessionRow).where(DeskSessionRow.id_hash == _hash(sid)))
    return row


def csrf_token(request: Request) -> str:
    session = request.cookies.get(COOKIE, "")
    return hmac.new(request.app.state.jwt_secret.encode(), b"csrf:" + session.encode(), hashlib.sha256).hexdigest()


async def reader(request: Request) -> Principal:
    row = await session_row(request)
    if row is None:
        raise LoginRequired()
    who = Principal(subject=row.subject, role=Role(row.role), owner_id=row.owner_id)
    logcontext.bind(actor=who.actor)  # the desk's log lines name who is at it, like the APIs' do
    if who.role not in READERS:
        raise PageError(403, "role_refused", role=who.role.value)
    return who


async def writer(request: Request, who: Annotated[Principal, Depends(reader)]) -> Principal:
    if who.role not in WRITERS:
        raise PageError(403, "read_only")
    form = await request.form()
    if not hmac.compare_digest(str(form.get("csrf", "")), csrf_token(request)):
        raise PageError(403, "forbidden")
    return who


Reader = Annotated[Principal, Depends(reader)]
Writer = Annotated[Principal, Depends(writer)]
