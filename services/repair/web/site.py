"""The repair bench as a site of the web kit (services/kit/web/): its sessions (``bench_sessions``, repair
migration 0005), roles, catalogues (``locale/<locale>/LC_MESSAGES/bench.po``), templates and zone
(``REPAIR_BENCH_TIMEZONE``).

Technicians act (admin always may); customs officers and the dispatch desk read: customs follows repair
consumption at any time.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse

from services.kit.auth import Principal, Role
from services.kit.web import i18n
from services.kit.web.render import Pages
from services.kit.web.routing import PageRoute
from services.kit.web.session import PageError, Sessions, session_table
from services.kit.web.site import Site
from services.repair.db.base import Base

HERE = Path(__file__).parent
# The table is repair's (its migration is 0005); declared here, on repair's metadata, so that importing the bench
# is all it takes. It belongs beside the others in services/repair/db/tables.py.
bench_sessions = session_table(Base.metadata, "bench_sessions")
SITE = Site("bench", "/bench", bench_sessions, frozenset({Role.technician, Role.customs_officer, Role.dispatcher}),
            frozenset({Role.technician}), "bench_timezone", "repair bench")
SESSIONS = Sessions(SITE)
CATALOGUES = i18n.Catalogues(HERE / "locale", "bench", SITE.lang_cookie)


class Translator(i18n.Translator):
    def __init__(self, lang: str) -> None:
        super().__init__(CATALOGUES, lang)


PAGES = Pages([HERE / "templates"], SESSIONS, CATALOGUES, Translator)


def page(request: Request, name: str, who: Principal | None, status: int = 200, **values: Any) -> HTMLResponse:
    return PAGES.page(request, name, who, status, **values)


def translator(request: Request) -> Translator:
    return Translator(CATALOGUES.pick(request))


class BenchRoute(PageRoute):
    login_path = SITE.login_path

    def error_page(self, request: Request, exc: PageError) -> Response:
        return page(request, "kit_error.html", None, status=exc.status, key=exc.key, values=exc.values)


Reader = Annotated[Principal, Depends(SESSIONS.reader)]
Writer = Annotated[Principal, Depends(SESSIONS.writing)]
