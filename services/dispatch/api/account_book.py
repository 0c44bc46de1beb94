"""The electronic account book (电子账册): the book, its items (备案), and per item what moved and what is on hand in
declared quantity, legal quantity and value (customs officers read it; an admin keeps the book)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from services.dispatch.api.deps import UoW
from services.dispatch.domain.account_book import Book
from services.dispatch.domain.ledger import ItemKind, Movement
from services.dispatch.service import account_book
from services.dispatch.service.account_book import ItemReport, ItemRequest
from services.kit.auth import Principal, Role, require

router = APIRouter(prefix="/v1/account-book", tags=["account book"])
Keeper = Annotated[Principal, Depends(require(Role.admin))]
Reader = Annotated[Principal, Depends(require(Role.dispatcher, Role.customs_officer, Role.admin))]
Code = Annotated[str, Field(pattern=r"^\d{3}$", description="a unit code of the code list (units)")]
Factor = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=6)]


class BookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    book_no: str = Field(min_length=12, max_length=12, description="账册编号, e.g. H2244B000001")
    enterprise_code: str = Field(min_length=10, max_length=10, description="the centre's customs code")
    enterprise_name: str = Field(min_length=1, max_length=200)
    book_type: str = Field("bonded_repair", min_length=1, max_length=16)
    customs_district: str = Field(pattern=r"^\d{4}$", description="主管海关")
    valid_from: date
    valid_to: date
    cycle_days: int = Field(730, ge=1, le=3650, description="the ledger cycle (核销周期)")


class BookOut(BookIn):
    model_config = ConfigDict(from_attributes=True)


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: ItemKind = Field(description="what the ledger item is: unit, part_lot, old_part or scrap")
    material_no: str = Field(min_length=1, max_length=100, description="料号: the part number ledger lines carry")
    hs_code: str = Field(pattern=r"^\d{10}$")
    goods_name: str = Field(min_length=1, max_length=255)
    specification: str = Field("", max_length=255)
    declared_unit: Code
    unit_price: Decimal = Field(ge=0, max_digits=18, decimal_places=2)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    legal_per_declared: Factor | None = Field(None, description="how many first legal units one declared unit is "
                                                                "(needed when the units differ)")
    second_per_declared: Factor | None = Field(None, description="the same for the second legal unit, if any")


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    item_no: int = Field(description="备案序号")
    kind: str
    material_no: str
    hs_code: str
    goods_name: str
    specification: str
    declared_unit: str
    legal_unit: str
    legal_per_declared: Decimal
    second_unit: str | None
    second_per_declared: Decimal | None
    unit_price: Decimal
    currency: str


class BookWithItems(BaseModel):
    book: BookOut
    items: list[ItemOut]


class Moved(BaseModel):
    quantity: Decimal
    legal_quantity: Decimal
    value: Decimal


class ItemBalanceOut(BaseModel):
    item_no: int
    kind: str
    material_no: str
    goods_name: str
    legal_unit: str
    currency: str | None
    moved: dict[Movement, Moved]
    on_hand: Moved
    opening: Moved
    balanced: bool = Field(description="opening + received + transferred in = transferred out + consumed + exported + "
                                       "released + destroyed + on hand, in quantity, legal quantity and value")


class Balances(BaseModel):
    book_no: str
    since: datetime | None
    until: datetime | None
    items: list[ItemBalanceOut]
    lines_not_in_book: int = Field(description="bonded ledger lines that name no item (register it, then "
                                               "POST /v1/account-book/assign)")


class Assigned(BaseModel):
    booked: int


def utc(t: datetime | None) -> datetime | None:
    return t.replace(tzinfo=timezone.utc) if t is not None and t.tzinfo is None else t


def _balance(r: ItemReport) -> ItemBalanceOut:
    b = r.balance
    moved = {m: Moved(**vars(a)) for m, a in b.moved.items() if a.quantity}
    return ItemBalanceOut(item_no=r.item.item_no, kind=r.item.kind, material_no=r.item.material_no,
                          goods_name=r.item.goods_name,
                          legal_unit=r.item.legal_unit, currency=r.currency, moved=moved,
                          on_hand=Moved(**vars(b.on_hand)), opening=Moved(**vars(b.opening)),
                          balanced=all(b.difference(a) == 0 for a in ("quantity", "legal_quantity", "value")))


@router.post("", status_code=201, summary="Open the account book (admin)")
async def open_book(body: BookIn, uow: UoW, who: Keeper) -> BookOut:
    return BookOut.model_validate(await account_book.open_book(uow, Book(**body.model_dump()), who.actor))


@router.get("", summary="The account book and its items")
async def get_book(uow: UoW, _who: Reader) -> BookWithItems:
    book, items = await account_book.book_and_items(uow)
    return BookWithItems(book=BookOut.model_validate(book), items=[ItemOut.model_validate(i) for i in items])


@router.post("/items", status_code=201, summary="Register an item (备案): legal units from its HS code")
async def register(body: ItemIn, uow: UoW, who: Keeper) -> ItemOut:
    request = ItemRequest(**(body.model_dump() | {"kind": body.kind.value}))
    return ItemOut.model_validate(await account_book.register_item(uow, request, who.actor))


@router.get("/balances", summary="Per item: what moved and what is on hand, in quantity, legal units and value")
async def balances(uow: UoW, _who: Reader,
                   since: Annotated[datetime | None, Query(alias="from")] = None,
                   until: Annotated[datetime | None, Query(alias="to")] = None) -> Balances:
    since, until = utc(since), utc(until)  # a time without an offset is UTC
    book, reports, unbooked = await account_book.balances(uow, since, until)
    return Balances(book_no=book.book_no, since=since, until=until, items=[_balance(r) for r in reports],
                    lines_not_in_book=unbooked)


@router.post("/assign", summary="Book the ledger lines recorded before their item was registered (admin)")
async def assign(uow: UoW, who: Keeper) -> Assigned:
    return Assigned(booked=await account_book.assign(uow, who.actor))
