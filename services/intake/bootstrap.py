"""The one place that wires intake together."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.intake.adapters.customs_worker import run_customs
from services.intake.api import catalogue, declarations, entry_filings, owners, parts, units
from services.intake.api.links import LINKS
from services.intake.db import tables
from services.intake.messaging.handlers import HANDLERS, SUBSCRIBE
from services.intake.service import owners as owner_register
from services.intake.service.uow import IntakeUnitOfWork
from services.intake.settings import IntakeSettings
from services.kit import links
from services.kit.app import create_app
from services.kit.runtime import Runtime, ServiceDefinition
from services.kit.settings import CommonSettings, load


def define() -> ServiceDefinition:
    return ServiceDefinition(
        name="intake", settings=load(IntakeSettings), common=load(CommonSettings),
        outbox=tables.outbox, inbox=tables.inbox, dead_letters=tables.dead_letters,
        migrations_dir=Path(__file__).parent / "migrations", uow_class=IntakeUnitOfWork,
        handlers=HANDLERS, subscribe=SUBSCRIBE, idempotency=tables.idempotency_keys, sequences=tables.sequences,
        after_migrate=_announce_owners, workers=[run_customs])


async def _announce_owners(d: ServiceDefinition) -> None:
    """Once after the upgrade that brought owner.registered: the owners registered before it are announced."""
    rt = Runtime(d)
    try:
        await owner_register.announce_unannounced(rt.uow())
    finally:
        await rt.dispose()


def build_app(rt: Runtime, run_relay: bool = True, run_consumer: bool = True) -> FastAPI:
    # units first: repair requests, receipts and releases are the busiest routes, and matching goes in order
    routers = [units.router, declarations.router, entry_filings.router, owners.router, catalogue.router, parts.router]
    app = create_app(rt, routers, title="bondline intake",
                     description="Repair requests, customs entry, inspection and receipt.",
                     run_relay=run_relay, run_consumer=run_consumer)
    links.install(app, LINKS)
    return app
