"""FastAPI application factory shared by the three services."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from datetime import timedelta

from fastapi import APIRouter, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError

from services.kit import contract_api, dead_letters_api, docs, idempotency, ops, telemetry
from services.kit.errors import ERROR_RESPONSES, DomainError, error_body, validation_errors
from services.kit.runtime import Runtime, settle_gc

log = logging.getLogger("bondline.app")


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
    app.add_exception_handler(DBAPIError, _database_error)
    for r in routers:  # first: a request is matched against the routes in order, the service's own are hot
        app.include_router(r)
    ops.install(app, rt)
    telemetry.instrument_app(app)
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


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """PostgreSQL refuses text with NUL characters (SQLite takes it): that is the caller's input, a 422;
    the transaction was rolled back, so nothing of the request is stored. Any other database error is a 500."""
    if _is_nul_refusal(exc):
        return JSONResponse({"detail": "text may not contain NUL (\\u0000) characters"}, status_code=422)
    log.error("%s %s: database error", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"detail": "internal error: the database refused the request"}, status_code=500)


def _is_nul_refusal(exc: Exception) -> bool:
    text = str(getattr(exc, "orig", exc))
    return "0x00" in text or "CharacterNotInRepertoire" in type(getattr(exc, "orig", exc)).__name__ \
        or "invalid byte sequence" in text


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return JSONResponse(error_body(exc), status_code=exc.status)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 body, with what it quotes of the input capped (a 5 MB field is not echoed back)."""
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": validation_errors(jsonable_encoder(exc.errors()))}, status_code=422)
