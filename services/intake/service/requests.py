"""Submit a repair request: every unit checked, all announced or none."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from services.intake.domain.catalogue import Catalogue
from services.intake.domain.owners import Owner
from services.intake.domain.requests import Refusal, RequestedUnit, check_units, origin_of
from services.intake.domain.units import Origin, Unit
from services.intake.service import outgoing
from services.intake.service.reference import iso_reference
from services.intake.service.uow import IntakeUnitOfWork
from services.kit.errors import Conflict, RuleViolation
from shared.clock import utc_now


@dataclass(frozen=True)
class SubmitRequest:
    owner_id: str
    origin: str  # ISO 3166 alpha-2 country, or "domestic"
    units: list[RequestedUnit]


async def submit(uow: IntakeUnitOfWork, cmd: SubmitRequest, actor: str) -> tuple[str, list[Unit]]:
    """A serial already in the zone is refused by the database's unique index on in-zone serials, so the
    accepted path makes no extra query for it; a refused request is then checked again in full, so its
    answer names every problem, the serials already in the zone included."""
    async with uow:
        uow.actor = actor
        owner, catalogue = await _owner_and_catalogue(uow, cmd.owner_id)
        refusal, origin, country = _check(cmd, owner, catalogue, set())
        if refusal.errors:  # refused anyway: name every problem, a serial already in the zone too
            _check(cmd, owner, catalogue, await _in_zone(uow, cmd))[0].raise_if_any()
        now, request_id = utc_now(), str(uuid.uuid4())
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
            return request_id, units
        except IntegrityError:
            pass  # the transaction is void; the serials are looked up below, in a fresh one
    async with uow:
        _check(cmd, owner, catalogue, await _in_zone(uow, cmd))[0].raise_if_any()
    raise Conflict("a serial number of this request entered the zone in a concurrent request; "
                   "nothing was announced", field="units")


async def _owner_and_catalogue(uow: IntakeUnitOfWork, owner_id: str) -> tuple[Owner, Catalogue]:
    owner, latest = await uow.owners.get_with_latest_catalogue(owner_id)
    if owner is None:
        raise RuleViolation(f"unknown owner {owner_id!r}; register it first", field="owner_id")
    return owner, await uow.catalogue.get(latest)


async def _in_zone(uow: IntakeUnitOfWork, cmd: SubmitRequest) -> set[str]:
    return await uow.units.serials_in_zone([u.serial_number for u in cmd.units])


def _check(cmd: SubmitRequest, owner: Owner, catalogue: Catalogue,
           in_zone: set[str]) -> tuple[Refusal, Origin, str | None]:
    refusal, ref = Refusal(), iso_reference()
    origin, country = origin_of(cmd.origin, ref, refusal)
    check_units(cmd.units, owner, catalogue, ref, in_zone, refusal)
    return refusal, origin, country
