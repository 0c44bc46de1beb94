"""Who is at a site: a server-side session in the service's database, named by a random id in an HttpOnly cookie.

The cookie (SameSite=Lax, or Strict for the development form's sign-in; Secure under production or https; path:
the site's prefix) holds only a random id; the row (its SHA-256, the principal, the expiry, the ID token for the
provider's logout) is the session, so logout deletes it and a stolen cookie dies with it. Pages need one of the
site's reader roles (admin always may); actions need a writer role and a CSRF token derived from the session id
(HMAC with the JWT secret).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import jwt
from fastapi import Request, Response
from sqlalchemy import Column, Index, MetaData, String, Table, Text, delete, insert, select

from services.kit.auth import Principal, Role, verify_token
from services.kit.db import UtcDateTime
from services.kit.web.site import Site
from shared import logcontext
from shared.clock import utc_now


class PageError(Exception):
    """Rendered as a page by the site's route class (``routing.PageRoute``)."""

    def __init__(self, status: int, key: str, **values: object) -> None:
        super().__init__(key)
        self.status, self.key, self.values = status, key, values


class LoginRequired(Exception):
    pass


@dataclass(frozen=True)
class WebSession:
    subject: str
    role: str
    owner_id: str | None
    id_token: str | None
    expires_at: datetime


def session_table(metadata: MetaData, name: str) -> Table:
    """A site's session table: ``id_hash`` (SHA-256 of the cookie's id), who, since and until when."""
    return Table(name, metadata,
                 Column("id_hash", String(64), primary_key=True),
                 Column("subject", String(200), nullable=False),
                 Column("role", String(32), nullable=False),
                 Column("owner_id", String(64)),
                 Column("id_token", Text),
                 Column("created_at", UtcDateTime, nullable=False),
                 Column("expires_at", UtcDateTime, nullable=False),
                 Index(f"ix_{name}_expires_at", "expires_at"))


def principal(request: Request, token: str) -> Principal:
    try:
        return verify_token(request.app, token)
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise PageError(401, "login_failed", reason=str(exc)) from None


def hash_id(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def secure_cookies(request: Request) -> bool:
    """Secure under production (and on https); development and test serve the pages on plain http://127.0.0.1."""
    return request.app.state.runtime.d.common.bondline_env == "production" or request.url.scheme == "https"


class Sessions:
    """The sessions of one site: open, read, close; the CSRF token; the reader and writer checks."""

    def __init__(self, site: Site) -> None:
        self.site, self.table = site, site.sessions
        self.readers = site.readers | {Role.admin}
        self.writers = site.writers | {Role.admin}

        async def writing(request: Request) -> Principal:
            return await self.writer(request, await self.reader(request))
        self.writing = writing  # the dependency: ``Annotated[Principal, Depends(sessions.writing)]``

    async def open(self, request: Request, response: Response, who: Principal, until: datetime,
                   id_token: str | None = None, samesite: Literal["lax", "strict"] = "lax") -> None:
        """Store a new session for ``who`` and set its cookie (Lax: the provider's redirect back is a cross-site
        navigation; the development form's sign-in, same-site throughout, may use Strict)."""
        sid, now = secrets.token_urlsafe(32), utc_now()
        limit = now + timedelta(minutes=request.app.state.runtime.d.common.bondline_desk_session_minutes)
        row = {"id_hash": hash_id(sid), "subject": who.subject, "role": who.role.value, "owner_id": who.owner_id,
               "id_token": id_token, "created_at": now, "expires_at": min(until, limit)}
        async with request.app.state.runtime.sessions() as s, s.begin():
            await s.execute(delete(self.table).where(self.table.c.expires_at < now))  # ended ones, by index
            await s.execute(insert(self.table).values(row))
        response.set_cookie(self.site.cookie, sid, httponly=True, samesite=samesite, path=self.site.prefix,
                            secure=secure_cookies(request))

    async def row(self, request: Request) -> WebSession | None:
        sid = request.cookies.get(self.site.cookie)
        if not sid:
            return None
        c = self.table.c
        async with request.app.state.runtime.sessions() as s:
            found = (await s.execute(select(c.subject, c.role, c.owner_id, c.id_token, c.expires_at)
                                     .where(c.id_hash == hash_id(sid)))).first()
        if found is None or found.expires_at <= utc_now():
            return None
        return WebSession(found.subject, found.role, found.owner_id, found.id_token, found.expires_at)

    async def close(self, request: Request) -> WebSession | None:
        """Delete this request's session row (logout); returns it (for the ID token) if there was one."""
        row = await self.row(request)
        sid = request.cookies.get(self.site.cookie)
        if sid:
            async with request.app.state.runtime.sessions() as s, s.begin():
                await s.execute(delete(self.table).where(self.table.c.id_hash == hash_id(sid)))
        return row

    def csrf(self, request: Request) -> str:
        session = request.cookies.get(self.site.cookie, "")
        secret = request.app.state.jwt_secret.encode()
        return hmac.new(secret, b"csrf:" + session.encode(), hashlib.sha256).hexdigest()

    async def reader(self, request: Request) -> Principal:
        """The dependency of every page: ``Annotated[Principal, Depends(sessions.reader)]``."""
        row = await self.row(request)
        if row is None:
            raise LoginRequired()
        who = Principal(subject=row.subject, role=Role(row.role), owner_id=row.owner_id)
        logcontext.bind(actor=who.actor)  # the pages' log lines name who is at them, like the APIs' do
        if who.role not in self.readers:
            raise PageError(403, "role_refused", role=who.role.value)
        return who

    async def writer(self, request: Request, who: Principal) -> Principal:
        if who.role not in self.writers:
            raise PageError(403, "read_only")
        form = await request.form()
        if not hmac.compare_digest(str(form.get("csrf", "")), self.csrf(request)):
            raise PageError(403, "forbidden")
        return who
