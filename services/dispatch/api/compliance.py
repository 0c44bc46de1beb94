"""Trade compliance (issue 19): the lists (read by the desk and compliance, edited by an admin: each edit a new
version, after which open decisions and shipments are screened again), holds and their release by a compliance
officer, and the audit of every screening."""
from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from services.dispatch.api.compliance_schemas import (
    ClassificationEdit,
    CountryRuleEdit,
    EditedOut,
    HoldOut,
    ListsIn,
    ListsOut,
    PartyEdit,
    ReleaseIn,
    ScreeningOut,
    Source,
)
from services.dispatch.api.deps import Admin, Compliance, ComplianceReader, UoW
from services.dispatch.domain.compliance_lists import ComplianceLists, ListsEdit, ListsVersion
from services.dispatch.service import compliance
from services.kit.auth import Principal
from services.kit.errors import MAX_INT

router = APIRouter(prefix="/v1/compliance", tags=["trade compliance"])
Version = Annotated[int, Path(ge=0, le=MAX_INT)]


async def _edit(uow: UoW, who: Principal, src: Source, change: Callable[[ComplianceLists, ListsEdit], ComplianceLists]
                ) -> EditedOut:
    edit = ListsEdit(who.actor, src.source, src.source_date, src.reason)
    done = await compliance.edit(uow, lambda lists: change(lists, edit), edit)
    return EditedOut(**ListsOut.of(done.lists).model_dump(), holds_opened=done.holds_opened,
                     holds_cleared=done.holds_cleared)


@router.get("/lists", summary="The current compliance lists")
async def current(uow: UoW, _who: ComplianceReader) -> ListsOut:
    return ListsOut.of(await compliance.lists(uow))


@router.get("/lists/versions", summary="Every version: who made it, from which source of which date, why")
async def versions(uow: UoW, _who: ComplianceReader) -> list[ListsVersion]:
    return await compliance.versions(uow)


@router.get("/lists/versions/{version}", summary="One version, as the screenings against it saw it")
async def version(version: Version, uow: UoW, _who: ComplianceReader) -> ListsOut:
    return ListsOut.of(await compliance.lists(uow, version))


@router.put("/lists", summary="Replace the whole lists (new version; open decisions and shipments re-screened)")
async def replace_all(body: ListsIn, uow: UoW, who: Admin) -> EditedOut:
    return await _edit(uow, who, body, lambda lists, e: lists.next_version(
        e, tuple(c.domain() for c in body.classifications), tuple(r.domain() for r in body.country_rules),
        tuple(p.domain() for p in body.parties), body.match_threshold))


@router.put("/classifications", summary="Add or change a classification (new version)")
async def put_classification(body: ClassificationEdit, uow: UoW, who: Admin) -> EditedOut:
    return await _edit(uow, who, body, lambda lists, e: lists.next_version(
        e, classifications=lists.with_classification(body.domain())))


@router.delete("/classifications/{key_kind}/{key}", summary="Remove a classification (new version)")
async def delete_classification(key_kind: Literal["part_number", "hs_prefix"], key: str, uow: UoW, who: Admin,
                                source: Annotated[Source, Query()]) -> EditedOut:
    return await _edit(uow, who, source, lambda lists, e: lists.next_version(
        e, classifications=lists.without_classification(key_kind, key)))


@router.put("/country-rules", summary="Add or change a country rule of a classification (new version)")
async def put_rule(body: CountryRuleEdit, uow: UoW, who: Admin) -> EditedOut:
    return await _edit(uow, who, body, lambda lists, e: lists.next_version(
        e, country_rules=lists.with_rule(body.domain())))


@router.delete("/country-rules/{classification}/{country}", summary="Remove a country rule (new version)")
async def delete_rule(classification: str, country: str, uow: UoW, who: Admin,
                      source: Annotated[Source, Query()]) -> EditedOut:
    return await _edit(uow, who, source, lambda lists, e: lists.next_version(
        e, country_rules=lists.without_rule(classification, country)))


@router.put("/parties", summary="Add or change a restricted party (new version)")
async def put_party(body: PartyEdit, uow: UoW, who: Admin) -> EditedOut:
    return await _edit(uow, who, body, lambda lists, e: lists.next_version(e, parties=lists.with_party(body.domain())))


@router.delete("/parties/{party_id}", summary="Remove a restricted party (new version)")
async def delete_party(party_id: str, uow: UoW, who: Admin, source: Annotated[Source, Query()]) -> EditedOut:
    return await _edit(uow, who, source, lambda lists, e: lists.next_version(
        e, parties=lists.without_party(party_id)))


@router.get("/holds", summary="Holds, by status; of one item (its own and its shipment's) or one shipment")
async def holds(uow: UoW, _who: ComplianceReader, status: Literal["open", "released", "cleared"] | None = None,
                item_id: str | None = None, shipment_id: str | None = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 100,
                offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0) -> list[HoldOut]:
    return [HoldOut.of(h) for h in await compliance.holds(uow, status, item_id, shipment_id, limit, offset)]


@router.get("/holds/{hold_id}", summary="One hold: what matched, and its release or clearance")
async def hold(hold_id: str, uow: UoW, _who: ComplianceReader) -> HoldOut:
    return HoldOut.of(await compliance.hold(uow, hold_id))


@router.post("/holds/{hold_id}/release", summary="Release a hold: with a licence, or as a false positive (a party)")
async def release(hold_id: str, body: ReleaseIn, uow: UoW, who: Compliance) -> HoldOut:
    licence = body.licence.domain() if body.licence else None
    return HoldOut.of(await compliance.release(uow, hold_id, body.basis, body.reason, licence, who.actor))


@router.get("/screenings", summary="Every screening of an item or a shipment: what, when, against which version")
async def screenings(uow: UoW, _who: ComplianceReader, subject: Literal["item", "shipment"],
                     subject_id: Annotated[str, Query(min_length=1, max_length=36)]) -> list[ScreeningOut]:
    return [ScreeningOut.of(s) for s in await compliance.screenings(uow, subject, subject_id)]
