"""Bearer tokens and role checks shared by the APIs: the identity provider's OIDC access tokens (RS256/ES256,
see ``services.kit.oidc``) and, under development and test only, the HS256 tokens of ``make token``."""
from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.kit.errors import Forbidden, RuleViolation
from services.kit.oidc import OidcConfig, OidcVerifier, claim
from services.kit.settings import CommonSettings
from shared import logcontext

ISSUER = "bondline"


class Role(StrEnum):
    intake_clerk = "intake_clerk"
    technician = "technician"
    dispatcher = "dispatcher"
    customs_officer = "customs_officer"
    compliance_officer = "compliance_officer"  # trade compliance: releases screening holds (issue 19)
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


def principal_from_claims(claims: dict[str, Any], config: OidcConfig) -> Principal:
    """Role and owner from the configured claims: the first known role (admin wins), a partner needs an owner."""
    raw = claim(claims, config.roles_claim)
    names = [raw] if isinstance(raw, str) else [r for r in raw or [] if isinstance(r, str)]
    known = [Role(n) for n in names if n in Role.__members__]
    if not known:
        raise jwt.InvalidTokenError(f"no bondline role in claim {config.roles_claim!r} (got {raw!r})")
    role = Role.admin if Role.admin in known else known[0]
    owner = claim(claims, config.owner_claim)
    if role is Role.partner and not (isinstance(owner, str) and owner):
        raise jwt.InvalidTokenError(f"partner token without an owner in claim {config.owner_claim!r}")
    return Principal(subject=str(claims["sub"]), role=role, owner_id=owner if isinstance(owner, str) else None)


class Authenticator:
    """What a bearer token may be here: the provider's (when an issuer is set), HS256 only outside production."""

    def __init__(self, common: CommonSettings) -> None:
        self.secret = common.bondline_jwt_secret
        self.dev_tokens = common.bondline_env != "production"
        self.config = None if not common.bondline_oidc_issuer else OidcConfig(
            common.bondline_oidc_issuer, common.bondline_oidc_audience, common.bondline_oidc_roles_claim,
            common.bondline_oidc_owner_claim, tuple(common.bondline_oidc_algorithms),
            common.bondline_oidc_jwks_refresh_s, common.bondline_oidc_leeway_s)
        self.oidc = None if self.config is None else OidcVerifier(self.config)

    def verify(self, token: str) -> Principal:
        alg = jwt.get_unverified_header(token).get("alg")
        if alg == "HS256":
            if not self.dev_tokens:
                raise jwt.InvalidTokenError("HS256 development tokens are not accepted in production; "
                                            "use a token from the identity provider")
            return decode_token(self.secret, token)
        if self.oidc is None or self.config is None:
            raise jwt.InvalidTokenError(f"algorithm {alg} needs BONDLINE_OIDC_ISSUER (not set)")
        return principal_from_claims(self.oidc.claims(token), self.config)


def authenticator(app: Any) -> Authenticator:
    """The app's authenticator, built on first use from its runtime's settings."""
    found: Authenticator | None = getattr(app.state, "authenticator", None)
    if found is None:
        found = app.state.authenticator = Authenticator(app.state.runtime.d.common)
    return found


def verify_token(app: Any, token: str) -> Principal:
    """The principal of a bearer token presented to ``app``; raises jwt.InvalidTokenError or ValueError."""
    try:
        return authenticator(app).verify(token)
    except (httpx.HTTPError, KeyError) as exc:
        raise jwt.InvalidTokenError(f"the identity provider could not be asked: {exc}") from None


_bearer = HTTPBearer(auto_error=False)


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


async def authenticate(request: Request,
                 creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    if creds is None:
        raise _unauthorized("missing bearer token (Authorization: Bearer <token>; see `make token`)")
    try:
        principal = verify_token(request.app, creds.credentials)
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
