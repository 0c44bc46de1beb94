"""The desk's route class: a missing session goes to the login page, a refusal is rendered as a page."""
from __future__ import annotations

from fastapi import Request, Response

from services.dispatch.web.render import page
from services.dispatch.web.session import SITE
from services.kit.web.routing import PageRoute
from services.kit.web.session import PageError


class DeskRoute(PageRoute):
    login_path = SITE.login_path

    def error_page(self, request: Request, exc: PageError) -> Response:
        return page(request, "error.html", None, status=exc.status, key=exc.key, values=exc.values)
