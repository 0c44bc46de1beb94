"""The desk's sign-in at the identity provider: authorization code flow with PKCE (S256), ``state`` and ``nonce``.

``/desk/auth/start`` keeps the verifier, state, nonce and the page to return to in a short-lived HMAC-signed
cookie (path /desk/auth) and sends the browser to the provider; ``/desk/auth/callback`` checks the state, trades
the code (with the verifier) for tokens, checks the ID token (signature, audience, nonce) and takes the principal
from the access token, exactly as the APIs do; then opens a server-side session.
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

from services.dispatch.db.tables import DeskSessionRow
from services.dispatch.web.routing import DeskRoute
from services.dispatch.web.session import READERS, PageError, open_session, principal, secure_cookies
from services.kit.auth import authenticator
from shared.clock import utc_now

router = APIRouter(prefix="/desk/auth", include_in_schema=False, route_class=DeskRoute)
FLOW_COOKIE = "desk_oidc"


@dataclass(frozen=True)
class DeskClient:
    client_id: str
    client_secret: str | None
    redirect_uri: str
    public_url: str


def desk_client(request: Request) -> DeskClient | None:
    common, d = request.app.state.runtime.d.common, request.app.state.runtime.d
    if not (common.bondline_oidc_issuer and common.bondline_oidc_desk_client_id):
        return None
    base = d.settings.url().rstrip("/")
    return DeskClient(common.bondline_oidc_desk_client_id, common.bondline_oidc_desk_client_secret,
                      f"{base}/desk/auth/callback", base)


def expiry(token: str) -> datetime:
    """A development token's expiry (already verified by the caller)."""
    exp = jwt.decode(token, options={"verify_signature": False}).get("exp", 0)
    return datetime.fromtimestamp(int(exp), timezone.utc)


def _metadata(request: Request) -> dict[str, Any]:
    oidc = authenticator(request.app).oidc
    assert oidc is not None  # desk_client() is set only with an issuer
    try:
        return oidc.keys.metadata()
    except (httpx.HTTPError, ValueError, jwt.InvalidTokenError) as exc:
        raise PageError(503, "signin_failed", reason=f"the identity provider does not answer: {exc}") from None


def _sign(request: Request, data: dict[str, str]) -> str:
    body = base64.urlsafe_b64encode(json.dumps(data).encode()).decode()
    mac = hmac.new(request.app.state.jwt_secret.encode(), b"oidc:" + body.encode(), hashlib.sha256).hexdigest()
    return f"{body}.{mac}"


def _unsign(request: Request, value: str) -> dict[str, str] | None:
    body, _, mac = value.rpartition(".")
    want = hmac.new(request.app.state.jwt_secret.encode(), b"oidc:" + body.encode(), hashlib.sha256).hexdigest()
    if not body or not hmac.compare_digest(mac, want):
        return None
    found: dict[str, str] = json.loads(base64.urlsafe_b64decode(body))
    return found


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@router.get("/start")
async def start(request: Request, next: str = "/desk") -> Response:
    client = desk_client(request)
    if client is None:
        raise PageError(404, "not_found")
    flow = {"state": secrets.token_urlsafe(24), "nonce": secrets.token_urlsafe(24),
            "verifier": secrets.token_urlsafe(48), "next": next if next.startswith("/desk") else "/desk"}
    query = {"response_type": "code", "client_id": client.client_id, "redirect_uri": client.redirect_uri,
             "scope": "openid profile api", "state": flow["state"], "nonce": flow["nonce"],
             "code_challenge": _challenge(flow["verifier"]), "code_challenge_method": "S256",
             "resource": request.app.state.runtime.d.common.bondline_oidc_audience}
    response = RedirectResponse(f"{_metadata(request)['authorization_endpoint']}?{urlencode(query)}", 303)
    response.set_cookie(FLOW_COOKIE, _sign(request, flow), max_age=600, httponly=True, samesite="lax",
                        path="/desk/auth", secure=secure_cookies(request))
    return response


async def _tokens(request: Request, client: DeskClient, code: str, verifier: str) -> dict[str, Any]:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": client.redirect_uri,
            "code_verifier": verifier, "client_id": client.client_id,
            "resource": request.app.state.runtime.d.common.bondline_oidc_audience}
    auth = httpx.BasicAuth(client.client_id, client.client_secret) if client.client_secret else None
    async with httpx.AsyncClient(timeout=10, auth=auth) as http:
        r = await http.post(_metadata(request)["token_endpoint"], data=form)
    if r.status_code != 200:
        raise PageError(401, "signin_failed", reason=f"the identity provider refused the code: {r.text[:200]}")
    tokens: dict[str, Any] = r.json()
    return tokens


def _check_id_token(request: Request, client: DeskClient, id_token: str, nonce: str) -> None:
    oidc = authenticator(request.app).oidc
    assert oidc is not None
    try:
        claims = oidc.claims(id_token, audience=client.client_id)
    except jwt.InvalidTokenError as exc:
        raise PageError(401, "signin_failed", reason=f"ID token: {exc}") from None
    if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise PageError(401, "signin_failed", reason="ID token nonce does not match this sign-in")


@router.get("/callback")
async def callback(request: Request, code: str = "", state: str = "", error: str = "") -> Response:
    client, flow = desk_client(request), _unsign(request, request.cookies.get(FLOW_COOKIE, ""))
    if client is None or flow is None:
        raise PageError(400, "signin_failed", reason="no sign-in in progress (start again)")
    if error or not code:
        raise PageError(401, "signin_failed", reason=error or "no code")
    if not hmac.compare_digest(state, flow["state"]):
        raise PageError(400, "signin_failed", reason="state does not match this sign-in")
    tokens = await _tokens(request, client, code, flow["verifier"])
    _check_id_token(request, client, str(tokens.get("id_token", "")), flow["nonce"])
    who = principal(request, str(tokens.get("access_token", "")))
    if who.role not in READERS:
        raise PageError(403, "role_refused", role=who.role.value)
    response = RedirectResponse(flow["next"], status_code=303)
    await open_session(request, response, who, utc_now() + timedelta(days=1), tokens.get("id_token"))
    response.delete_cookie(FLOW_COOKIE, path="/desk/auth")
    return response


async def logout_url(request: Request, row: DeskSessionRow | None) -> str:
    """Where the browser goes after the desk's logout: the provider's end_session_endpoint if it has one."""
    client = desk_client(request)
    end = _metadata(request).get("end_session_endpoint") if client is not None else None
    if client is None or not end:
        return "/desk/login"
    query = {"client_id": client.client_id, "post_logout_redirect_uri": f"{client.public_url}/desk/login"}
    if row is not None and row.id_token:
        query["id_token_hint"] = row.id_token
    return f"{end}?{urlencode(query)}"
