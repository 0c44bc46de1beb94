"""The repair product catalogue: read by all, edited by customs officers (each edit a new version)."""
from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from services.intake.api.deps import AnyUser, Officer, UoW
from services.intake.domain.catalogue import Catalogue, Entry, Prohibition
from services.intake.service import catalogue
from services.kit.errors import MAX_INT

router = APIRouter(prefix="/v1/catalogue", tags=["catalogue"])


class EntryIn(BaseModel):
    hs_code: str = Field(pattern=r"^\d{10}$", description="10-digit HS code")
    description: str = Field(min_length=1, max_length=500)
    own_products_only: bool = False
    note: str = Field("", max_length=1000, description="why the catalogue changes")


class ProhibitionIn(BaseModel):
    hs_prefix: str = Field(pattern=r"^\d{2,10}$", description="HS code or prefix never accepted")
    reason: str = Field(min_length=1, max_length=500)
    note: str = Field("", max_length=1000)


def out(c: Catalogue) -> dict[str, Any]:
    return {"version": c.version, "entries": [asdict(e) for e in sorted(c.entries.values(), key=lambda e: e.hs_code)],
            "prohibited": [asdict(p) for p in c.prohibited]}


@router.get("", summary="The current catalogue")
async def current(uow: UoW, _who: AnyUser) -> dict[str, Any]:
    return out(await catalogue.current(uow))


@router.get("/versions", summary="Every version with who made it and why")
async def versions(uow: UoW, _who: AnyUser) -> list[dict[str, Any]]:
    return await catalogue.versions(uow)


@router.get("/versions/{version}", summary="One version, as eligibility decisions saw it")
async def version(version: Annotated[int, Path(ge=0, le=MAX_INT)], uow: UoW, _who: AnyUser) -> dict[str, Any]:
    return out(await catalogue.current(uow, version))


@router.put("/entries", summary="Add or change an eligible HS code (new version)")
async def put_entry(body: EntryIn, uow: UoW, who: Officer) -> dict[str, Any]:
    entry = Entry(body.hs_code, body.description, body.own_products_only)
    return out(await catalogue.edit(uow, lambda c: c.with_entry(entry), body.note, who.actor))


@router.delete("/entries/{hs_code}", summary="Remove an eligible HS code (new version)")
async def delete_entry(hs_code: str, uow: UoW, who: Officer, note: str = "") -> dict[str, Any]:
    return out(await catalogue.edit(uow, lambda c: c.without_entry(hs_code), note, who.actor))


@router.put("/prohibited", summary="Prohibit an HS code or prefix (new version)")
async def prohibit(body: ProhibitionIn, uow: UoW, who: Officer) -> dict[str, Any]:
    p = Prohibition(body.hs_prefix, body.reason)
    return out(await catalogue.edit(uow, lambda c: c.with_prohibition(p), body.note, who.actor))
