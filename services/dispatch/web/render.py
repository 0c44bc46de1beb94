"""The desk's Jinja2 pages (services/kit/web/render.py) in the reader's language, with what every page needs (who,
CSRF token, translator, zone) and the desk's own: refusals explained, the units table's due-to-ship query."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from services.dispatch.service import desk
from services.dispatch.web import i18n, refusals
from services.dispatch.web.session import SESSIONS
from services.kit.auth import Principal
from services.kit.errors import DomainError
from services.kit.web.i18n import Translator
from services.kit.web.render import Pages

HERE = Path(__file__).parent
DUE = desk.due_to_ship()
DUE_QUERY = {"stage": DUE.stage, "kind": DUE.kind, "state": ",".join(DUE.state)}  # the units table's query


def _desk(_request: Request, t: Translator) -> dict[str, Any]:
    assert isinstance(t, i18n.Translator)

    def explain(message: str) -> refusals.Refusal:  # a service's reason given as text (a tax estimate's)
        return refusals.explain(DomainError(message), t)

    return {"explain": explain, "due_query": DUE_QUERY}


PAGES = Pages([HERE / "templates"], SESSIONS, i18n.CATALOGUES, i18n.Translator, _desk)
templates = PAGES.templates


def context(request: Request, who: Principal | None, **values: Any) -> dict[str, Any]:
    return PAGES.context(request, who, **values)


def page(request: Request, name: str, who: Principal | None, status: int = 200, **values: Any) -> HTMLResponse:
    return PAGES.page(request, name, who, status, **values)
