"""The one place that wires partners together: the owners' status API, event feed and webhooks."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.kit import links
from services.kit.app import create_app
from services.kit.runtime import Runtime, ServiceDefinition
from services.kit.settings import CommonSettings, load
from services.partners.adapters.metrics import gauges as partner_gauges
from services.partners.adapters.webhook_worker import run_webhooks
from services.partners.api import owner, webhooks
from services.partners.api.links import LINKS
from services.partners.db import tables
from services.partners.messaging.handlers import HANDLERS, SUBSCRIBE, prepare_batch
from services.partners.service.uow import PartnersUnitOfWork
from services.partners.service.upgrade import take_over_from_dispatch
from services.partners.settings import PartnersSettings


def define() -> ServiceDefinition:
    return ServiceDefinition(
        name="partners", settings=load(PartnersSettings), common=load(CommonSettings),
        outbox=tables.outbox, inbox=tables.inbox, dead_letters=tables.dead_letters,
        migrations_dir=Path(__file__).parent / "migrations", uow_class=PartnersUnitOfWork,
        handlers=HANDLERS, subscribe=SUBSCRIBE, prepare_batch=prepare_batch, idempotency=tables.idempotency_keys,
        sequences=tables.sequences, workers=[run_webhooks], after_migrate=take_over_from_dispatch,
        scrape=partner_gauges)


def build_app(rt: Runtime, run_relay: bool = True, run_consumer: bool = True) -> FastAPI:
    app = create_app(rt, [owner.router, webhooks.router], title="bondline partners",
                     description="The owners' status API and event feed across the three services, and their "
                                 "webhooks (signed CloudEvents, retried, with a delivery log).",
                     run_relay=run_relay, run_consumer=run_consumer)
    links.install(app, LINKS)
    return app
