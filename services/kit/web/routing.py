"""A site's route class: a missing session goes to the login page, a refusal (PageError) is rendered as a page."""
from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, ClassVar

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from services.kit.web.session import LoginRequired, PageError


class PageRoute(APIRoute):
    """Subclass per site: set ``login_path`` and say how an error page is rendered."""
    login_path: ClassVar[str]

    def error_page(self, request: Request, exc: PageError) -> Response:
        raise NotImplementedError

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handle(request)
            except LoginRequired:
                return self.to_login(request)
            except PageError as exc:
                return self.error_page(request, exc)
        return page_handler

    def to_login(self, request: Request) -> Response:
        if request.headers.get("hx-request"):  # a poll after the session ended: the whole page goes to the login
            return Response(status_code=401, headers={"HX-Redirect": self.login_path})
        return RedirectResponse(f"{self.login_path}?next={request.url.path}", status_code=303)
