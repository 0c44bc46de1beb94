"""Jinja2 pages in the reader's language, with what every page needs (who, CSRF token, translator)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from services.dispatch.service import desk
from services.dispatch.web import i18n, refusals, zone
from services.dispatch.web.session import WRITERS, csrf_token
from services.kit.auth import Principal
from services.kit.errors import DomainError

HERE = Path(__file__).parent
DUE = desk.due_to_ship()
DUE_QUERY = {"stage": DUE.stage, "kind": DUE.kind, "state": ",".join(DUE.state)}  # the units table's query
templates = Jinja2Templates(directory=HERE / "templates")


def context(request: Request, who: Principal | None, **values: Any) -> dict[str, Any]:
    lang = i18n.pick(request)
    t = i18n.Translator(lang)

    def explain(message: str) -> refusals.Refusal:  # a service's reason given as text (a tax estimate's)
        return refusals.explain(DomainError(message), t)

    return {"request": request, "t": t, "lang": lang, "who": who, "explain": explain,
            "can_act": who is not None and who.role in WRITERS,
            "csrf": csrf_token(request) if who else "", "due_query": DUE_QUERY,
            "zone_label": zone.label(zone.of(request)), "tz": zone.of(request), **values}


def page(request: Request, name: str, who: Principal | None, status: int = 200, **values: Any) -> HTMLResponse:
    response = templates.TemplateResponse(request, name, context(request, who, **values), status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response
