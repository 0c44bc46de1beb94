"""The simulator's HTTP face: messages in (XML), receipts out (a feed with a cursor), test controls."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from services.customs_simulator.platform import Options, Platform, Tier
from services.customs_simulator.settings import SimulatorSettings
from shared.clock import utc_now
from shared.contract.customs import xml
from shared.contract.customs.messages import InspectionKind, Message

BANNER = {"X-Customs-Simulator": "SIMULATED - not the customs platform"}


class FeedItem(BaseModel):
    seq: int = Field(description="position in the feed: pass the last one as ``after``")
    receipt: str = Field(description="the receipt, an XML document of customs-messages-1.0.xsd")


class Feed(BaseModel):
    simulated: bool = True
    receipts: list[FeedItem]
    next_after: int


class Controls(BaseModel):
    """For tests and demos: what to do to the next message."""
    model_config = ConfigDict(extra="forbid")
    reject_next: str | None = Field(None, min_length=1, max_length=500, description="reject it with this reason")
    delay_next_s: float | None = Field(None, ge=0, le=86_400, description="release it this much later")
    duplicate_next: bool = Field(False, description="send its next receipt twice")
    inspect_next: InspectionKind | None = Field(None, description="select it for this inspection, whatever its tier")
    fail_next_inspection: bool = Field(False, description="the next inspection does not pass (no release follows)")
    enterprises: dict[str, Tier] = Field(default_factory=dict, description="register owners' credit tiers")


def create_app(settings: SimulatorSettings) -> FastAPI:
    platform = Platform(Options(settings.release_delay_s, settings.inspection_delay_s, dict(settings.rates),
                                dict(settings.enterprises)))

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async def tick() -> None:
            while True:
                platform.due(utc_now())
                await asyncio.sleep(settings.tick_s)
        task = asyncio.create_task(tick())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app = FastAPI(title="customs platform SIMULATOR (not customs)", version="1.0", lifespan=lifespan,
                  description="Plays the customs side of bondline's customs messages for development and tests. "
                              "Every receipt it issues is marked simulated.")
    app.state.platform = platform

    @app.post("/v1/messages", status_code=202, summary="Send a message (XML); its receipts follow in the feed")
    async def send(request: Request) -> JSONResponse:
        body = await request.body()
        try:
            message = xml.loads(body, Message)
        except xml.MessageError as exc:
            return JSONResponse({"detail": f"not a valid message: {exc}"}, status_code=400, headers=BANNER)
        issued = platform.receive(message, utc_now())
        return JSONResponse({"message_id": message.message_id, "simulated": True, "receipts": len(issued)},
                            status_code=202, headers=BANNER)

    @app.get("/v1/receipts", summary="Receipts after a position, oldest first")
    async def receipts(response: Response, after: Annotated[int, Query(ge=0)] = 0,
                       limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Feed:
        platform.due(utc_now())
        page = platform.receipts[after:after + limit]
        response.headers.update(BANNER)
        return Feed(receipts=[FeedItem(seq=after + i + 1, receipt=xml.dumps(r).decode())
                              for i, r in enumerate(page)], next_after=after + len(page))

    @app.post("/v1/control", summary="Tell the simulator what to do to the next message (tests, demos)")
    async def control(body: Controls) -> JSONResponse:
        c = platform.controls
        c.reject_next = body.reject_next or c.reject_next
        c.delay_next_s = body.delay_next_s if body.delay_next_s is not None else c.delay_next_s
        c.duplicate_next = body.duplicate_next or c.duplicate_next
        c.inspect_next = body.inspect_next or c.inspect_next
        c.fail_next_inspection = body.fail_next_inspection or c.fail_next_inspection
        platform.options.enterprises.update(body.enterprises)
        return JSONResponse({"simulated": True, "enterprises": len(platform.options.enterprises)}, headers=BANNER)

    @app.get("/healthz", summary="Alive")
    @app.get("/readyz", summary="Ready (nothing to wait for: the simulator keeps its state in memory)")
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok", "simulated": True}, headers=BANNER)

    return app
