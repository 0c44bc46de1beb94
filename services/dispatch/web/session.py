"""Who is at the desk: a server-side session in dispatch's ``desk_sessions`` table (services/kit/web/session.py).

Pages need dispatcher, customs_officer or compliance_officer (admin always may); actions need dispatcher. Every form
that changes something carries a CSRF token derived from the session id.
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, cast

from fastapi import Depends, Request, Response
from sqlalchemy import Table

from services.dispatch.db.tables import DeskSessionRow
from services.kit.auth import Principal, Role
from services.kit.web import session as kit
from services.kit.web.session import LoginRequired, PageError, WebSession, principal, secure_cookies
from services.kit.web.site import Site

__all__ = ["COOKIE", "READERS", "SESSIONS", "SITE", "WRITERS", "LoginRequired", "PageError", "Reader", "Writer",
           "close_session", "csrf_token", "open_session", "principal", "reader", "secure_cookies", "session_row",
           "writer"]
READERS = {Role.dispatcher, Role.customs_officer, Role.compliance_officer, Role.admin}  # compliance: sees holds
WRITERS = {Role.dispatcher, Role.admin}
SITE = Site("desk", "/desk", cast(Table, DeskSessionRow.__table__), frozenset(READERS), frozenset(WRITERS),
            "desk_timezone", "dispatch desk")
SESSIONS = kit.Sessions(SITE)
COOKIE = SITE.cookie


async def open_session(request: Request, response: Response, who: Principal, until: datetime,
                       id_token: str | None = None, samesite: Literal["lax", "strict"] = "lax") -> None:
    await SESSIONS.open(request, response, who, until, id_token, samesite)


async def session_row(request: Request) -> WebSession | None:
    return await SESSIONS.row(request)


async def close_session(request: Request) -> WebSession | None:
    return await SESSIONS.close(request)


def csrf_token(request: Request) -> str:
    return SESSIONS.csrf(request)


reader, writer = SESSIONS.reader, SESSIONS.writing
Reader = Annotated[Principal, Depends(SESSIONS.reader)]
Writer = Annotated[Principal, Depends(SESSIONS.writing)]
