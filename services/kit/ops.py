"""Operations endpoints: /healthz, /readyz, /metrics (no token needed)."""
from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.kit import events_api, logs
from services.kit.runtime import Runtime
from shared.clock import utc_now

router = APIRouter(tags=["operations"])
QUIET = frozenset({"/healthz", "/readyz", "/metrics"})  # probes and scrapes: an access line only when they fail


class Health(BaseModel):
    status: Literal["ok"]


class LostGap(BaseModel):
    consumer: str
    source: str
    key: str = Field(description="the unit (ce_subject)")
    sequences: tuple[int, int] = Field(description="the first and last ce_sequence lost")
    detected_at: datetime
    detail: str | None


class LostEvents(BaseModel):
    events: int = Field(description="how many events are lost for good, in all")
    latest: list[LostGap] = Field(description="the latest lost gaps, newest first")


class Readiness(BaseModel):
    status: Literal["ready", "not ready"]
    reasons: list[str] | None = Field(None, description="why not ready (only when not)")
    lost_events: LostEvents | None = Field(
        None, description="events gone from the broker and their producer's outbox (only when there are any): "
                          "ready to serve, but an operator must look")


@router.get("/healthz", summary="Alive")
async def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", summary="Ready: database reachable, migrations at head, broker reachable, "
                               "consumer in its group; lost events listed",
            response_model=Readiness,
            responses={503: {"model": Readiness, "description": "Not ready: the reasons say why"}})
async def readyz(request: Request) -> JSONResponse:
    rt: Runtime = request.app.state.runtime
    problems = await rt.readiness()
    body = Readiness(status="not ready", reasons=problems) if problems else Readiness(status="ready")
    if not any(p.startswith("database") for p in problems):
        lost = await rt.lost_events()
        if lost:  # ready to serve, but an operator must look: events gone from broker and outbox
            body.lost_events = LostEvents.model_validate(lost)
    # unset: reasons when ready, lost_events when none are lost (a gap's own "detail": null stays)
    return JSONResponse(body.model_dump(mode="json", exclude_unset=True), status_code=503 if problems else 200)


@router.get("/metrics", summary="Prometheus metrics")
async def metrics(request: Request) -> Response:
    rt: Runtime = request.app.state.runtime
    gauges = request.app.state.ops_gauges
    t, dl = rt.d.outbox, rt.d.dead_letters
    async with rt.sessions() as s:
        backlog, oldest = (await s.execute(select(func.count(), func.min(t.c.created_at))
                                           .where(t.c.published_at.is_(None)))).one()
        dead = await s.scalar(select(func.count()).select_from(dl))
        refresh = request.app.state.ops_refresh
        if refresh is not None:
            await refresh(s)
        await s.commit()
    _pool(gauges, rt.engine.pool)
    gauges["backlog"].set(backlog)
    gauges["oldest"].set(_age_seconds(oldest))
    gauges["dead"].set(dead or 0)
    lost = await rt.lost_events()
    gauges["lost"].set(lost["events"] if lost else 0)
    gauges["ready"].set(0 if await rt.readiness() else 1)
    return Response(generate_latest(rt.registry), media_type=CONTENT_TYPE_LATEST)


def _pool(gauges: dict[str, Gauge], pool: Any) -> None:
    """Connections in use and the pool's size (a pool without a size, SQLite's, reports what it has)."""
    if hasattr(pool, "checkedout"):
        gauges["pool_in_use"].set(pool.checkedout())
    if hasattr(pool, "size"):
        gauges["pool_size"].set(pool.size() + max(0, getattr(pool, "_max_overflow", 0)))


def _age_seconds(created: datetime | None) -> float:
    if created is None:
        return 0.0
    if created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    return max(0.0, (utc_now() - created).total_seconds())


def install(app: FastAPI, rt: Runtime) -> None:
    r = rt.registry
    app.state.ops_gauges = {
        "backlog": Gauge("bondline_outbox_backlog", "Unpublished outbox rows", registry=r),
        "oldest": Gauge("bondline_outbox_oldest_unpublished_age_seconds",
                        "Age of the oldest unpublished outbox row", registry=r),
        "dead": Gauge("bondline_dead_letters_stored", "Rows in the dead-letter table", registry=r),
        "ready": Gauge("bondline_ready", "1 when /readyz would answer ready, else 0", registry=r),
        "pool_in_use": Gauge("bondline_db_pool_in_use", "Database connections checked out of the pool", registry=r),
        "pool_size": Gauge("bondline_db_pool_limit", "Connections the pool may open (size plus overflow)",
                           registry=r),
        "lost": Gauge("bondline_events_lost_stored",
                      "Events recorded as lost for good (gone from the broker and the producer's outbox)", registry=r),
    }
    app.state.ops_refresh = rt.d.scrape(r) if rt.d.scrape is not None else None
    requests = Counter("bondline_http_requests", "HTTP requests", ["method", "route", "status"], registry=r)
    latency = Histogram("bondline_http_request_seconds", "HTTP request latency", ["method", "route"],
                        registry=r, buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5))

    class HttpMetrics:
        """Pure ASGI middleware (BaseHTTPMiddleware costs a task and a stream per request)."""

        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await self.app(scope, receive, send)
                return
            start, status = time.perf_counter(), [500]

            async def capture(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status[0] = message["status"]
                await send(message)

            try:
                await self.app(scope, receive, capture)
            finally:
                route = getattr(scope.get("route"), "path", "unmatched")
                took = time.perf_counter() - start
                latency.labels(scope["method"], route).observe(took)
                requests.labels(scope["method"], route, str(status[0])).inc()
                if route not in QUIET or status[0] >= 400:
                    logs.access(scope["method"], route, status[0], took)

    app.add_middleware(HttpMetrics)
    app.include_router(router)
    if rt.d.produces:  # the producer API: a service that publishes nothing has no outbox to serve
        app.include_router(events_api.router)
    app.include_router(events_api.gaps_router)
