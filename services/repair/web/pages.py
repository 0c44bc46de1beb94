"""The bench's pages: the technician's queue and the open backlog, the scan box, a work order's page."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.kit.errors import NotFound
from services.kit.web.refusals import Refusal
from services.kit.web.session import PageError
from services.repair.domain.states import Outcome
from services.repair.web import views
from services.repair.web.site import BenchRoute, Reader, page
from shared.clock import utc_now

router = APIRouter(prefix="/bench", include_in_schema=False, route_class=BenchRoute)
Code = Annotated[str, Query(max_length=200)]


@router.get("", response_class=HTMLResponse)
async def queue(request: Request, who: Reader) -> HTMLResponse:
    mine, backlog = await views.queues(request.app.state.runtime, who.subject)
    return page(request, "queue.html", who, mine=mine, backlog=backlog, now=utc_now(), age=views.age_days)


@router.get("/find", response_class=HTMLResponse)
async def find(request: Request, who: Reader, q: Code = "") -> Response:
    """What the scanner typed (a unit's label, a work order's sheet) or a serial: straight to its work order."""
    code = q.strip()
    if not code:
        return RedirectResponse("/bench", status_code=303)
    found = await views.lookup(request.app.state.runtime, code)
    if len(found) == 1:
        return RedirectResponse(f"/bench/work-orders/{found[0].id}", status_code=303)
    return page(request, "found.html", who, status=200 if found else 404, q=code, found=found, now=utc_now(),
                age=views.age_days)


async def work_order_page(request: Request, who: Any, work_order_id: str, status: int = 200, look_up: str = "",
                          done: str | None = None, error: Refusal | None = None,
                          failed: str | None = None) -> HTMLResponse:
    try:
        bench = await views.work_order(request.app.state.runtime, work_order_id, look_up)
    except NotFound:
        raise PageError(404, "not_found") from None
    return page(request, "work_order.html", who, status=status, b=bench, wo=bench.wo, done=done, error=error,
                failed=failed, look_up=look_up, outcomes=[o.value for o in Outcome],
                my_clock=bench.clock_running(who.subject))


@router.get("/work-orders/{work_order_id}", response_class=HTMLResponse)
async def work_order(request: Request, work_order_id: str, who: Reader, done: Code | None = None,
                     part: Code = "") -> HTMLResponse:
    return await work_order_page(request, who, work_order_id, look_up=part.strip(), done=done)
