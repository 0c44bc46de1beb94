"""FastAPI application factory shared by the three services."""
from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import AsyncIterator, Iterable

from fastapi import APIRouter, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from services.kit import contract_api, dead_letters_api, docs, idempotency, ops
from services.kit.errors import ERROR_RESPONSES, DomainError, error_body, validation_errors
from services.kit.runtime import Runtime, settle_gc


def create_app(rt: Runtime, routers: Iterable[APIRouter], *, title: str, description: str,
               run_relay: bool, run_consumer: bool) -> FastAPI:
    s, keys = rt.d.settings, rt.d.idempotency
    retention = timedelta(hours=s.idempotency_retention_hours)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        workers = asyncio.create_task(rt.run_workers(stop, run_relay, run_consumer), name="workers")
        purge = None if keys is None else asyncio.create_task(
            idempotency.purge_forever(rt.sessions, keys, retention, stop), name="idempotency-purge")
        settle_gc()
        try:
            yield
        finally:
            stop.set()
            if purge is not None:
                await _stop(purge, 10)
            await asyncio.wait_for(workers, 30)
            await rt.dispose()

    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan,
                  docs_url=None, redoc_url=None,
                  responses=ERROR_RESPONSES)  # every route added to the app, its own or included, documents them
    app.state.runtime = rt
    app.state.jwt_secret = rt.d.common.bondline_jwt_secret
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    for r in routers:  # first: a request is matched against the routes in order, the service's own are hot
        app.include_router(r)
    ops.install(app, rt)
    docs.install(app)
    app.include_router(dead_letters_api.router)
    app.include_router(contract_api.router)
    if keys is not None:
        idempotency.install(app, rt.sessions, keys, retention=retention,
                            abandoned_after=timedelta(seconds=s.idempotency_abandoned_after_s))
    return app


async def _stop(task: asyncio.Task[None], timeout: float) -> None:
    """Wait for a background task that saw the stop event; cancel it if it does not end in time."""
    _done, pending = await asyncio.wait({task}, timeout=timeout)
    for t in pending:
        t.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await t


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return JSONResponse(error_body(exc), status_code=exc.status)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 body, with what it quotes of the input capped (a 5 MB field is not echoed back)."""
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": validation_errors(jsonable_encoder(exc.errors()))}, status_code=422)
