"""The repair product catalogue: read by all, edited by customs officers (each edit a new version)."""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from services.intake.api.deps import AnyUser, Officer, UoW
from services.intake.domain.catalogue import Catalogue, CatalogueVersion, Entry, Prohibition
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


class EntryOut(BaseModel):
    hs_code: str = Field(description="10-digit HS code eligible for bonded repair")
    description: str
    own_products_only: bool = Field(description="eligible only for the owner group's own products")


class ProhibitionOut(BaseModel):
    hs_prefix: str = Field(description="HS code or prefix never accepted")
    reason: str


class CatalogueOut(BaseModel):
    version: int
    entries: list[EntryOut] = Field(description="eligible HS codes, in HS code order")
    prohibited: list[ProhibitionOut]

    @classmethod
    def of(cls, c: Catalogue) -> CatalogueOut:
        entries = sorted(c.entries.values(), key=lambda e: e.hs_code)
        return cls(version=c.version, entries=[EntryOut(**asdict(e)) for e in entries],
                   prohibited=[ProhibitionOut(**asdict(p)) for p in c.prohibited])


class CatalogueVersionOut(BaseModel):
    version: int
    created_at: datetime
    created_by: str = Field(description="the actor who made this version")
    note: str = Field(description="why the catalogue changed")

    @classmethod
    def of(cls, v: CatalogueVersion) -> CatalogueVersionOut:
        return cls(**asdict(v))


@router.get("", response_model=CatalogueOut, summary="The current catalogue")
async def current(uow: UoW, _who: AnyUser) -> CatalogueOut:
    return CatalogueOut.of(await catalogue.current(uow))


@router.get("/versions", response_model=list[CatalogueVersionOut], summary="Every version with who made it and why")
async def versions(uow: UoW, _who: AnyUser) -> list[CatalogueVersionOut]:
    return [CatalogueVersionOut.of(v) for v in await catalogue.versions(uow)]


@router.get("/versions/{version}", response_model=CatalogueOut, summary="One version, as eligibility decisions saw it")
async def version(version: Annotated[int, Path(ge=0, le=MAX_INT)], uow: UoW, _who: AnyUser) -> CatalogueOut:
    return CatalogueOut.of(await catalogue.current(uow, version))


@router.put("/entries", response_model=CatalogueOut, summary="Add or change an eligible HS code (new version)")
async def put_entry(body: EntryIn, uow: UoW, who: Officer) -> CatalogueOut:
    entry = Entry(body.hs_code, body.description, body.own_products_only)
    return CatalogueOut.of(await catalogue.edit(uow, lambda c: c.with_entry(entry), body.note, who.actor))


@router.delete("/entries/{hs_code}", response_model=CatalogueOut, summary="Remove an eligible HS code (new version)")
async def delete_entry(hs_code: str, uow: UoW, who: Officer, note: str = "") -> CatalogueOut:
    return CatalogueOut.of(await catalogue.edit(uow, lambda c: c.without_entry(hs_code), note, who.actor))


@router.put("/prohibited", response_model=CatalogueOut, summary="Prohibit an HS code or prefix (new version)")
async def prohibit(body: ProhibitionIn, uow: UoW, who: Officer) -> CatalogueOut:
    p = Prohibition(body.hs_prefix, body.reason)
    return CatalogueOut.of(await catalogue.edit(uow, lambda c: c.with_prohibition(p), body.note, who.actor))
