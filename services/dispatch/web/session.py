"""Who is at the desk: the API's bearer token (same roles, same secret) kept in an HttpOnly, SameSite=Strict cookie.

Pages need dispatcher or customs_officer (admin always may); actions need dispatcher. Every form that changes
something carries a CSRF token derived from the session cookie (HMAC with the JWT secret), checked on POST.
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

import jwt
from fastapi import Depends, Request

from services.kit.auth import Principal, Role, decode_token

COOKIE = "desk_session"
READERS = {Role.dispatcher, Role.customs_officer, Role.admin}
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
        return decode_token(request.app.state.jwt_secret, token)
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise PageError(401, "login_failed", reason=str(exc)) from None


def csrf_token(request: Request) -> str:
    session = request.cookies.get(COOKIE, "")
    return hmac.new(request.app.state.jwt_secret.encode(), b"csrf:" + session.encode(), hashlib.sha256).hexdigest()


async def reader(request: Request) -> Principal:
    token = request.cookies.get(COOKIE)
    if not token:
        raise LoginRequired()
    try:
        who = principal(request, token)
    except PageError:
        raise LoginRequired() from None
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
