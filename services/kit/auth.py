"""Bearer tokens (HS256 JWT) and role checks shared by the three APIs."""
from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.kit.errors import Forbidden, RuleViolation
from shared import logcontext

ISSUER = "bondline"


class Role(StrEnum):
    intake_clerk = "intake_clerk"
    technician = "technician"
    dispatcher = "dispatcher"
    customs_officer = "customs_officer"
    partner = "partner"
    admin = "admin"
    service = "service"  # another bondline service (e.g. fetching events it missed)


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    owner_id: str | None = None

    @property
    def actor(self) -> str:
        return f"{self.role.value}:{self.subject}"


def issue_token(secret: str, subject: str, role: Role | str, owner_id: str | None = None,
                ttl_minutes: int = 720) -> str:
    role = Role(role)
    if role is Role.partner and not owner_id:
        raise ValueError("a partner token must be bound to an owner id")
    now = int(time.time())
    claims = {"iss": ISSUER, "sub": subject, "role": role.value, "iat": now, "exp": now + ttl_minutes * 60}
    if owner_id:
        claims["owner_id"] = owner_id
    return jwt.encode(claims, secret, algorithm="HS256")


_VERIFIED: dict[tuple[str, str], tuple[Principal, float]] = {}  # (secret, token) -> (principal, exp)
_VERIFIED_MAX = 4096


def decode_token(secret: str, token: str) -> Principal:
    """Verify a token; a token already verified with this secret is only checked for expiry again
    (its signature and claims cannot have changed), which spares a JWT decode per request."""
    hit = _VERIFIED.get((secret, token))
    if hit is not None and time.time() < hit[1]:
        return hit[0]
    claims = jwt.decode(token, secret, algorithms=["HS256"], issuer=ISSUER,
                        options={"require": ["exp", "sub", "role"]})
    role = Role(claims["role"])
    if role is Role.partner and not claims.get("owner_id"):
        raise jwt.InvalidTokenError("partner token without owner_id")
    principal = Principal(subject=claims["sub"], role=role, owner_id=claims.get("owner_id"))
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()
    _VERIFIED[(secret, token)] = (principal, float(claims["exp"]))
    return principal


_bearer = HTTPBearer(auto_error=False)


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


async def authenticate(request: Request,
                 creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    if creds is None:
        raise _unauthorized("missing bearer token (Authorization: Bearer <token>; see `make token`)")
    try:
        principal = decode_token(request.app.state.jwt_secret, creds.credentials)
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise _unauthorized(f"invalid token: {exc}") from None
    logcontext.bind(actor=principal.actor)  # every log line of the rest of this request names who asked
    return principal


def require(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """Dependency: the caller must hold one of ``roles`` (admin always may)."""
    allowed = set(roles) | {Role.admin}

    async def check(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if principal.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise HTTPException(403, detail=f"role {principal.role.value} may not do this; allowed: {names}")
        return principal

    return check


# --- the one owner-scoping rule: a partner token sees and acts only for the owner it is bound to; staff see all --


def forbid_other_owner(who: Principal, owner_id: str | None, what: str = "act for or read") -> None:
    """A partner may not touch another owner's records: 403 naming both owners."""
    if who.role is Role.partner and owner_id is not None and owner_id != who.owner_id:
        raise Forbidden(f"a partner token for owner {who.owner_id} cannot {what} owner {owner_id}")


def owner_scope(who: Principal, owner_id: str | None, required: bool = False) -> str | None:
    """The owner a listing is about: a partner's own (asking for another is refused), else the caller's choice
    (``required``: staff must name one, e.g. the owners' feed)."""
    forbid_other_owner(who, owner_id, "read")
    if who.role is Role.partner:
        return who.owner_id
    if required and not owner_id:
        raise RuleViolation("owner_id is required here (partners are scoped by their token)")
    return owner_id
