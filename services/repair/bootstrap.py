"""The one place that wires repair together."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.kit import links
from services.kit.app import create_app
from services.kit.runtime import Runtime, ServiceDefinition
from services.kit.settings import CommonSettings, load
from services.repair import web
from services.repair.api import labour, old_parts, parts, reference, reports, work_orders, workflow
from services.repair.api.links import LINKS
from services.repair.db import tables
from services.repair.messaging.handlers import HANDLERS, SUBSCRIBE
from services.repair.service.uow import RepairUnitOfWork
from services.repair.settings import RepairSettings


def define() -> ServiceDefinition:
    return ServiceDefinition(
        name="repair", settings=load(RepairSettings), common=load(CommonSettings),
        outbox=tables.outbox, inbox=tables.inbox, dead_letters=tables.dead_letters,
        migrations_dir=Path(__file__).parent / "migrations", uow_class=RepairUnitOfWork,
        handlers=HANDLERS, subscribe=SUBSCRIBE, idempotency=tables.idempotency_keys, sequences=tables.sequences)


def build_app(rt: Runtime, run_relay: bool = True, run_consumer: bool = True) -> FastAPI:
    routers = [work_orders.router, workflow.router, labour.router, parts.router, old_parts.router,
               reference.router, reports.router, web.router]
    app = create_app(rt, routers, title="bondline repair",
                     description="Work orders, diagnosis, quotes, bonded parts, testing, old parts; the technicians' "
                                 "repair bench (/bench).",
                     run_relay=run_relay, run_consumer=run_consumer)
    links.install(app, LINKS)
    return app
