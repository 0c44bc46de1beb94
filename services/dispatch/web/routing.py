"""The desk's route class: a missing session goes to the login page, a refusal is rendered as a page."""
from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from services.dispatch.web.render import page
from services.dispatch.web.session import LoginRequired, PageError


class DeskRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def desk_handler(request: Request) -> Response:
            try:
                return await handle(request)
            except LoginRequired:
                return _to_login(request)
            except PageError as exc:
                return page(request, "error.html", None, status=exc.status, key=exc.key, values=exc.values)
        return desk_handler


def _to_login(request: Request) -> Response:
    if request.headers.get("hx-request"):  # a poll after the session ended: the whole page goes to the login
        return Response(status_code=401, headers={"HX-Redirect": "/desk/login"})
    return RedirectResponse(f"/desk/login?next={request.url.path}", status_code=303)
