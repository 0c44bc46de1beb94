"""Submit a repair request: every unit checked, all announced or none."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy.exc import IntegrityError

from services.intake.domain.requests import Refusal, RequestedUnit, check_units, origin_of
from services.intake.domain.units import Unit
from services.intake.service import outgoing
from services.intake.service.reference import iso_reference
from services.intake.service.uow import IntakeUnitOfWork
from services.kit.errors import Conflict, RuleViolation


@dataclass(frozen=True)
class SubmitRequest:
    owner_id: str
    origin: str  # ISO 3166 alpha-2 country, or "domestic"
    units: list[RequestedUnit]


async def submit(uow: IntakeUnitOfWork, cmd: SubmitRequest, actor: str) -> tuple[str, list[Unit]]:
    async with uow:
        uow.actor = actor
        owner, latest = await uow.owners.get_with_latest_catalogue(cmd.owner_id)
        if owner is None:
            raise RuleViolation(f"unknown owner {cmd.owner_id!r}; register it first", field="owner_id")
        catalogue = await uow.catalogue.get(latest)
        refusal, ref = Refusal(), iso_reference()
        origin, country = origin_of(cmd.origin, ref, refusal)
        in_zone = await uow.units.serials_in_zone([u.serial_number for u in cmd.units])
        check_units(cmd.units, owner, catalogue, ref, in_zone, refusal)
        refusal.raise_if_any()
        now, request_id = datetime.now(timezone.utc), str(uuid.uuid4())
        units = [Unit.announce(now, actor, id=str(uuid.uuid4()), request_id=request_id, owner_id=owner.id,
                               origin=origin, origin_country=country, catalogue_version=catalogue.version,
                               **vars(u)) for u in cmd.units]
        try:
            await uow.records.add_request(id=request_id, owner_id=owner.id, origin=origin.value,
                                          origin_country=country, catalogue_version=catalogue.version,
                                          created_at=now, created_by=actor)
            await uow.units.add_all(units, actor)
            uow.publish(*(outgoing.announced(unit) for unit in units))
            await uow.commit()
        except IntegrityError:
            raise Conflict("a serial number of this request entered the zone in a concurrent request; "
                           "nothing was announced", field="units") from None
        return request_id, units

