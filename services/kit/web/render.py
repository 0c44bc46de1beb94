"""Jinja2 pages in the reader's language, with what every page needs: who, the CSRF token, the translator, the
zone. A site's templates come first in the search path, then the kit's own (``kit/...``: the sign-in form)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from services.kit.auth import Principal
from services.kit.web import zone
from services.kit.web.i18n import Catalogues, Translator
from services.kit.web.session import Sessions

KIT_TEMPLATES = Path(__file__).parent / "templates"


class Pages:
    def __init__(self, directories: Sequence[Path], sessions: Sessions, catalogues: Catalogues,
                 translator: Callable[[str], Translator],
                 extra: Callable[[Request, Translator], dict[str, Any]] | None = None) -> None:
        self.templates = Jinja2Templates(directory=[*directories, KIT_TEMPLATES])
        self.sessions, self.catalogues, self.translator, self.extra = sessions, catalogues, translator, extra

    def context(self, request: Request, who: Principal | None, **values: Any) -> dict[str, Any]:
        lang = self.catalogues.pick(request)
        t, site = self.translator(lang), self.sessions.site
        here = zone.of(request, site.timezone_setting)
        base = {"request": request, "t": t, "lang": lang, "who": who, "site": site,
                "can_act": who is not None and who.role in self.sessions.writers,
                "csrf": self.sessions.csrf(request) if who else "", "zone_label": zone.label(here), "tz": here}
        return base | (self.extra(request, t) if self.extra else {}) | values

    def page(self, request: Request, name: str, who: Principal | None, status: int = 200,
             **values: Any) -> HTMLResponse:
        response = self.templates.TemplateResponse(request, name, self.context(request, who, **values),
                                                   status_code=status)
        response.headers["Cache-Control"] = "no-store"
        return response
