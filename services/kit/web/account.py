"""A site's own routes: the sign-in form (a development token) or the way to the provider, logout, the language
switch and its static files. The form carries a pre-session CSRF token (double submit: cookie and hidden field)."""
from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from services.kit.web import signin
from services.kit.web.render import Pages
from services.kit.web.routing import PageRoute
from services.kit.web.session import PageError, principal

LOGIN_TEMPLATE = "kit_login.html"


def _login_page(pages: Pages, request: Request, next: str, status: int = 200,
                error: tuple[str, dict[str, object]] | None = None) -> HTMLResponse:
    site, nonce = pages.sessions.site, secrets.token_urlsafe(24)
    response = pages.page(request, LOGIN_TEMPLATE, None, status=status, next=site.local(next), error=error,
                          login_csrf=nonce)
    response.set_cookie(site.login_cookie, nonce, max_age=3600, httponly=True, samesite="strict",
                        path=site.login_path, secure=request.url.scheme == "https")
    return response


def router(pages: Pages, route_class: type[PageRoute], static: Path | None = None) -> APIRouter:
    sessions = pages.sessions
    site = sessions.site
    r = APIRouter(prefix=site.prefix, include_in_schema=False, route_class=route_class)

    @r.get("/login", response_class=HTMLResponse)
    async def login_form(request: Request, next: str = site.prefix) -> Response:
        if signin.client(request, site) is not None:  # the identity provider signs the site in
            return RedirectResponse(f"{site.auth_prefix}/start?{urlencode({'next': site.local(next)})}", 303)
        return _login_page(pages, request, next)

    @r.post("/login")
    async def login(request: Request, token: Annotated[str, Form(max_length=8000)],
                    next: Annotated[str, Form(max_length=2000)] = site.prefix,
                    login_csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
        """Development and test: sign in with a bearer token; the session lives until the token's expiry."""
        expected = request.cookies.get(site.login_cookie, "")
        if not expected or not hmac.compare_digest(login_csrf, expected):
            return _login_page(pages, request, next, 403, ("login_expired", {}))
        try:
            who = principal(request, token.strip())
        except PageError as exc:
            return _login_page(pages, request, next, 401, (exc.key, exc.values))
        if who.role not in sessions.readers:
            return _login_page(pages, request, next, 403, ("role_refused", {"role": who.role.value}))
        response = RedirectResponse(site.local(next), status_code=303)
        await sessions.open(request, response, who, signin.expiry(token.strip()), samesite="strict")
        response.delete_cookie(site.login_cookie, path=site.login_path)
        return response

    @r.post("/logout")
    async def logout(request: Request) -> Response:
        """End the session (its row is deleted: the cookie is worth nothing after) and, if any, the provider's."""
        row = await sessions.close(request)
        response = RedirectResponse(await signin.logout_url(request, site, row), status_code=303)
        response.delete_cookie(site.cookie, path=site.prefix)
        return response

    @r.get("/lang/{lang}")
    async def switch_language(lang: str, next: str = site.prefix) -> Response:
        if lang not in pages.catalogues.langs:
            raise PageError(404, "not_found")
        response = RedirectResponse(site.local(next), status_code=303)
        response.set_cookie(pages.catalogues.cookie, lang, max_age=365 * 86400, samesite="lax", path=site.prefix)
        return response

    if static is not None:
        root = static.resolve()

        @r.get("/static/{path:path}")
        async def static_file(path: str) -> FileResponse:
            file = (root / path).resolve()
            if root not in file.parents or not file.is_file():
                raise PageError(404, "not_found")
            return FileResponse(file, headers={"Cache-Control": "public, max-age=3600"})

    return r
