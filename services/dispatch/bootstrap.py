"""The one place that wires dispatch together."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.dispatch import web
from services.dispatch.adapters.customs_worker import run_customs
from services.dispatch.api import (
    account_book,
    compliance,
    filings,
    items,
    ledger,
    moved,
    reference,
    shipments,
    stocktake,
)
from services.dispatch.api.links import LINKS
from services.dispatch.db import tables
from services.dispatch.messaging.desk import DESK
from services.dispatch.messaging.handlers import HANDLERS, SUBSCRIBE
from services.dispatch.service.uow import DispatchUnitOfWork
from services.dispatch.settings import DispatchSettings
from services.kit import links
from services.kit.app import create_app
from services.kit.runtime import Runtime, ServiceDefinition
from services.kit.settings import CommonSettings, load


def define() -> ServiceDefinition:
    return ServiceDefinition(
        name="dispatch", settings=load(DispatchSettings), common=load(CommonSettings),
        outbox=tables.outbox, inbox=tables.inbox, dead_letters=tables.dead_letters,
        migrations_dir=Path(__file__).parent / "migrations", uow_class=DispatchUnitOfWork,
        handlers=HANDLERS, subscribe=SUBSCRIBE, idempotency=tables.idempotency_keys, sequences=tables.sequences,
        projections=[DESK], projections_table=tables.projection_generations, workers=[run_customs])


def build_app(rt: Runtime, run_relay: bool = True, run_consumer: bool = True) -> FastAPI:
    routers = [items.router, shipments.router, reference.router, compliance.router, ledger.router, account_book.router,
               stocktake.router, filings.router, web.router, moved.router]
    app = create_app(rt, routers, title="bondline dispatch",
                     description="Destinations, taxes, exit declarations, shipments, the exchange pool, the bonded "
                                 "ledger and the dispatch desk. The owners' API, feed and webhooks are the partners "
                                 "service's (this service answers their old paths with 308 to it).",
                     run_relay=run_relay, run_consumer=run_consumer)
    links.install(app, LINKS)
    return app
