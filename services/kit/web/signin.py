"""A site's sign-in at the identity provider: authorization code flow with PKCE (S256), ``state`` and ``nonce``.

``<prefix>/auth/start`` keeps the verifier, state, nonce and the page to return to in a short-lived HMAC-signed
cookie (path <prefix>/auth) and sends the browser to the provider; ``<prefix>/auth/callback`` checks the state,
trades the code (with the verifier) for tokens, checks the ID token (signature, audience, nonce) and takes the
principal from the access token, exactly as the APIs do; then opens a server-side session. The client is the
staff pages' one (``BONDLINE_OIDC_DESK_CLIENT_ID``); each site's callback is a redirect URI of it.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from services.kit.auth import authenticator
from services.kit.web.session import PageError, Sessions, WebSession, principal, secure_cookies
from services.kit.web.site import Site
from shared.clock import utc_now


@dataclass(frozen=True)
class SignInClient:
    client_id: str
    client_secret: str | None
    redirect_uri: str
    public_url: str


def client(request: Request, site: Site) -> SignInClient | None:
    common, d = request.app.state.runtime.d.common, request.app.state.runtime.d
    if not (common.bondline_oidc_issuer and common.bondline_oidc_desk_client_id):
        return None
    base = d.settings.url().rstrip("/")
    return SignInClient(common.bondline_oidc_desk_client_id, common.bondline_oidc_desk_client_secret,
                        f"{base}{site.auth_prefix}/callback", base)


def expiry(token: str) -> datetime:
    """A development token's expiry (already verified by the caller)."""
    exp = jwt.decode(token, options={"verify_signature": False}).get("exp", 0)
    return datetime.fromtimestamp(int(exp), timezone.utc)


def _metadata(request: Request) -> dict[str, Any]:
    oidc = authenticator(request.app).oidc
    assert oidc is not None  # client() is set only with an issuer
    try:
        return oidc.keys.metadata()
    except (httpx.HTTPError, ValueError, jwt.InvalidTokenError) as exc:
        raise PageError(503, "signin_failed", reason=f"the identity provider does not answer: {exc}") from None


def _mac(request: Request, body: str) -> str:
    return hmac.new(request.app.state.jwt_secret.encode(), b"oidc:" + body.encode(), hashlib.sha256).hexdigest()


def _sign(request: Request, data: dict[str, str]) -> str:
    body = base64.urlsafe_b64encode(json.dumps(data).encode()).decode()
    return f"{body}.{_mac(request, body)}"


def _unsign(request: Request, value: str) -> dict[str, str] | None:
    body, _, mac = value.rpartition(".")
    if not body or not hmac.compare_digest(mac, _mac(request, body)):
        return None
    found: dict[str, str] = json.loads(base64.urlsafe_b64decode(body))
    return found


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


async def _tokens(request: Request, c: SignInClient, code: str, verifier: str) -> dict[str, Any]:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": c.redirect_uri,
            "code_verifier": verifier, "client_id": c.client_id,
            "resource": request.app.state.runtime.d.common.bondline_oidc_audience}
    auth = httpx.BasicAuth(c.client_id, c.client_secret) if c.client_secret else None
    async with httpx.AsyncClient(timeout=10, auth=auth) as http:
        r = await http.post(_metadata(request)["token_endpoint"], data=form)
    if r.status_code != 200:
        raise PageError(401, "signin_failed", reason=f"the identity provider refused the code: {r.text[:200]}")
    tokens: dict[str, Any] = r.json()
    return tokens


def _check_id_token(request: Request, c: SignInClient, id_token: str, nonce: str) -> None:
    oidc = authenticator(request.app).oidc
    assert oidc is not None
    try:
        claims = oidc.claims(id_token, audience=c.client_id)
    except jwt.InvalidTokenError as exc:
        raise PageError(401, "signin_failed", reason=f"ID token: {exc}") from None
    if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise PageError(401, "signin_failed", reason="ID token nonce does not match this sign-in")


def router(sessions: Sessions, route_class: type[APIRoute]) -> APIRouter:
    """``/start`` and ``/callback`` under the site's ``/auth``."""
    site = sessions.site
    r = APIRouter(prefix=site.auth_prefix, include_in_schema=False, route_class=route_class)

    @r.get("/start")
    async def start(request: Request, next: str = site.prefix) -> Response:
        c = client(request, site)
        if c is None:
            raise PageError(404, "not_found")
        flow = {"state": secrets.token_urlsafe(24), "nonce": secrets.token_urlsafe(24),
                "verifier": secrets.token_urlsafe(48), "next": site.local(next)}
        query = {"response_type": "code", "client_id": c.client_id, "redirect_uri": c.redirect_uri,
                 "scope": "openid profile api", "state": flow["state"], "nonce": flow["nonce"],
                 "code_challenge": _challenge(flow["verifier"]), "code_challenge_method": "S256",
                 "resource": request.app.state.runtime.d.common.bondline_oidc_audience}
        response = RedirectResponse(f"{_metadata(request)['authorization_endpoint']}?{urlencode(query)}", 303)
        response.set_cookie(site.flow_cookie, _sign(request, flow), max_age=600, httponly=True, samesite="lax",
                            path=site.auth_prefix, secure=secure_cookies(request))
        return response

    @r.get("/callback")
    async def callback(request: Request, code: str = "", state: str = "", error: str = "") -> Response:
        c, flow = client(request, site), _unsign(request, request.cookies.get(site.flow_cookie, ""))
        if c is None or flow is None:
            raise PageError(400, "signin_failed", reason="no sign-in in progress (start again)")
        if error or not code:
            raise PageError(401, "signin_failed", reason=error or "no code")
        if not hmac.compare_digest(state, flow["state"]):
            raise PageError(400, "signin_failed", reason="state does not match this sign-in")
        tokens = await _tokens(request, c, code, flow["verifier"])
        _check_id_token(request, c, str(tokens.get("id_token", "")), flow["nonce"])
        who = principal(request, str(tokens.get("access_token", "")))
        if who.role not in sessions.readers:
            raise PageError(403, "role_refused", role=who.role.value)
        response = RedirectResponse(flow["next"], status_code=303)
        await sessions.open(request, response, who, utc_now() + timedelta(days=1), tokens.get("id_token"))
        response.delete_cookie(site.flow_cookie, path=site.auth_prefix)
        return response

    return r


async def logout_url(request: Request, site: Site, row: WebSession | None) -> str:
    """Where the browser goes after the logout: the provider's end_session_endpoint if it has one."""
    c = client(request, site)
    end = _metadata(request).get("end_session_endpoint") if c is not None else None
    if c is None or not end:
        return site.login_path
    query = {"client_id": c.client_id, "post_logout_redirect_uri": f"{c.public_url}{site.login_path}"}
    if row is not None and row.id_token:
        query["id_token_hint"] = row.id_token
    return f"{end}?{urlencode(query)}"
