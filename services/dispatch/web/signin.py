"""The desk's sign-in at the identity provider (services/kit/web/signin.py): authorization code flow with PKCE
(S256), ``state`` and ``nonce``, under ``/desk/auth``; then a server-side session."""
from __future__ import annotations

from fastapi import Request

from services.dispatch.web.routing import DeskRoute
from services.dispatch.web.session import SESSIONS, SITE
from services.kit.web import signin as kit
from services.kit.web.session import WebSession
from services.kit.web.signin import SignInClient, expiry

__all__ = ["FLOW_COOKIE", "DeskClient", "desk_client", "expiry", "logout_url", "router"]
router = kit.router(SESSIONS, DeskRoute)
FLOW_COOKIE = SITE.flow_cookie
DeskClient = SignInClient


def desk_client(request: Request) -> SignInClient | None:
    return kit.client(request, SITE)


async def logout_url(request: Request, row: WebSession | None) -> str:
    """Where the browser goes after the desk's logout: the provider's end_session_endpoint if it has one."""
    return await kit.logout_url(request, SITE, row)
