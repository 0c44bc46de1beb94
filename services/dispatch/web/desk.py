"""The desk's pages: sign in and out, language, the dashboard with its live figures, the units table and its CSV."""
from __future__ import annotations

import csv
import hmac
import io
import secrets
from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from services.dispatch.service import desk, desk_search
from services.dispatch.service.desk import SORTS, ItemFilter
from services.dispatch.service.desk_search import Search
from services.dispatch.web import i18n, rows, signin, zone
from services.dispatch.web.render import HERE, page
from services.dispatch.web.routing import DeskRoute
from services.dispatch.web.session import COOKIE, READERS, PageError, Reader, close_session, open_session, principal

router = APIRouter(prefix="/desk", include_in_schema=False, route_class=DeskRoute)
STATIC = (HERE / "static").resolve()
PAGE_SIZE = 50
LOGIN_COOKIE = "desk_login"
CSV_COLUMNS = ("item_id", "kind", "unit_id", "serial_number", "part_number", "description", "owner_id", "owner_name",
               "origin",
               "stage", "state", "stage_since", "received_at", "deadline", "deadline_status", "outcome", "destination",
               "destination_country")


def policy(request: Request) -> desk.Policy:
    s, here = request.app.state.runtime.d.settings, zone.of(request)
    return desk.Policy(zone.today(here), s.ledger_cycle_days, s.ledger_warning_days, s.disposal_warning_days, here)


def uow(request: Request) -> Any:
    return request.app.state.runtime.uow()


@router.get("/static/{path:path}")
async def static(path: str) -> FileResponse:
    file = (STATIC / path).resolve()
    if STATIC not in file.parents or not file.is_file():
        raise PageError(404, "not_found")
    return FileResponse(file, headers={"Cache-Control": "public, max-age=3600"})


def _login_page(request: Request, next: str, status: int = 200, error: tuple | None = None) -> HTMLResponse:
    """The sign-in form, with a fresh pre-session CSRF token (double submit: cookie and hidden field)."""
    nonce = secrets.token_urlsafe(24)
    response = page(request, "login.html", None, status=status, next=_local(next), error=error, login_csrf=nonce)
    response.set_cookie(LOGIN_COOKIE, nonce, max_age=3600, httponly=True, samesite="strict", path="/desk/login",
                        secure=request.url.scheme == "https")
    return response


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, next: str = "/desk") -> Response:
    if signin.desk_client(request) is not None:  # the identity provider signs the desk in
        return RedirectResponse(f"/desk/auth/start?{urlencode({'next': _local(next)})}", status_code=303)
    return _login_page(request, next)


@router.post("/login")
async def login(request: Request, token: Annotated[str, Form()], next: Annotated[str, Form()] = "/desk",
                login_csrf: Annotated[str, Form()] = "") -> Response:
    """Development and test: sign in with a bearer token; the session lives until the token's expiry."""
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(login_csrf, expected):
        return _login_page(request, next, 403, ("login_expired", {}))
    try:
        who = principal(request, token.strip())
    except PageError as exc:
        return _login_page(request, next, 401, (exc.key, exc.values))
    if who.role not in READERS:
        return _login_page(request, next, 403, ("role_refused", {"role": who.role.value}))
    response = RedirectResponse(_local(next), status_code=303)
    await open_session(request, response, who, signin.expiry(token.strip()), samesite="strict")
    response.delete_cookie(LOGIN_COOKIE, path="/desk/login")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session (its row is deleted: the cookie is worth nothing after) and, if any, the provider's."""
    row = await close_session(request)
    response = RedirectResponse(await signin.logout_url(request, row), status_code=303)
    response.delete_cookie(COOKIE, path="/desk")
    return response


@router.get("/lang/{lang}")
async def switch_language(lang: str, next: str = "/desk") -> Response:
    if lang not in i18n.LANGS:
        raise PageError(404, "not_found")
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(i18n.COOKIE, lang, max_age=365 * 86400, samesite="lax", path="/desk")
    return response


@router.get("", response_class=HTMLResponse)
async def home(request: Request, who: Reader) -> HTMLResponse:
    p = policy(request)
    figures = await _figures(request, p)
    return page(request, "dashboard.html", who, figures=figures, policy=p, labels=i18n.messages(i18n.pick(request)))


async def _figures(request: Request, p: desk.Policy) -> dict[str, Any]:
    """The dashboard's figures, with the owners' names for the chart by owner (its keys are the owners' ids)."""
    figures = await desk.figures(uow(request), p)
    figures["owner_names"] = await desk_search.owner_names(uow(request), figures.get("backlog_by_owner", {}))
    return figures


@router.get("/data/figures.json")
async def figures_json(request: Request, _who: Reader) -> JSONResponse:
    return JSONResponse(await _figures(request, policy(request)), headers={"Cache-Control": "no-store"})


class TableQuery(BaseModel):
    stage: str | None = Field(None, max_length=16)
    state: str | None = Field(None, max_length=200, description="one state, or several separated by commas")
    owner: str | None = Field(None, max_length=200, description="an owner's id or (part of) its name")
    q: str | None = Field(None, max_length=100, description="a serial, part number, unit or item id, a document "
                                                           "number (inventory list, gate pass, tracking number) "
                                                           "or an owner's name")
    kind: str | None = Field(None, max_length=16)
    due: str | None = Field(None, max_length=16)
    sort: str = Field("since", pattern="^(" + "|".join(SORTS) + ")$")
    desc: bool = False
    page: int = Field(1, ge=1, le=10_000)
    size: int = Field(PAGE_SIZE, ge=1, le=200)

    def filter(self) -> Search:
        states = tuple(s for s in (self.state or "").split(",") if s)
        f = ItemFilter(stage=self.stage or None, state=states, kind=self.kind or None, due_kind=self.due or None,
                       sort=self.sort, descending=self.desc)
        return Search(f, self.q or None, self.owner or None)

    def link(self, **changes: Any) -> str:
        values = self.model_dump() | changes
        return urlencode({k: v for k, v in values.items() if v not in (None, "", False)})


Table = Annotated[TableQuery, Query()]


async def _table(request: Request, q: TableQuery) -> dict[str, Any]:
    p = policy(request)
    found = await desk_search.items(uow(request), q.filter(), q.size + 1, (q.page - 1) * q.size)
    names = await desk_search.owner_names(uow(request), (r.owner_id for r in found))
    return {"rows": [rows.view(r, p, names) for r in found[:q.size]], "more": len(found) > q.size, "q": q}


@router.get("/units", response_class=HTMLResponse)
async def units(request: Request, who: Reader, q: Table) -> HTMLResponse:
    return page(request, "units.html", who, **await _table(request, q))


@router.get("/fragments/table", response_class=HTMLResponse)
async def table_fragment(request: Request, who: Reader, q: Table, title: str = "") -> HTMLResponse:
    return page(request, "_table.html", who, **await _table(request, q), title=title)


@router.get("/units.csv")
async def units_csv(request: Request, _who: Reader, q: Table) -> StreamingResponse:
    work, p, f = uow(request), policy(request), q.filter()

    async def lines() -> AsyncIterator[str]:
        out = io.StringIO()
        out.write("\ufeff")  # the BOM: Excel (a Chinese Windows reads GBK otherwise) then opens it as UTF-8
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        async for chunk, names in desk_search.export(work, f):
            for r in chunk:
                v = rows.view(r, p, names)
                writer.writerow([v.get(c) if v.get(c) is not None else "" for c in CSV_COLUMNS])
            yield out.getvalue()
            out.seek(0)
            out.truncate()
        yield out.getvalue()

    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="units.csv"'})


def _local(target: str) -> str:
    """Only paths on this site (no open redirect)."""
    return target if target.startswith("/desk") and not target.startswith("//") else "/desk"
