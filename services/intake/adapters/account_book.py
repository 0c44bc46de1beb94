"""The electronic account book, as intake reads it to build entry lists: dispatch keeps the book
(``GET /v1/customs/account-book`` there, with intake's service token)."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol

import httpx

from services.kit.customs.documents import Header, Item
from services.kit.errors import DomainError, NotFound


class ServiceUnavailable(DomainError):
    """The account book's keeper (dispatch) cannot answer now: nothing was filed, try again."""
    status = 503


class AccountBook(Protocol):
    async def read(self) -> tuple[Header, list[Item]]: ...


class HttpAccountBook:
    def __init__(self, base_url: str, token: Callable[[], str], transport: httpx.AsyncBaseTransport | None = None,
                 timeout_s: float = 10.0) -> None:
        self.token = token
        self.client = httpx.AsyncClient(base_url=base_url.rstrip("/"), transport=transport, timeout=timeout_s)

    async def read(self) -> tuple[Header, list[Item]]:
        try:
            r = await self.client.get("/v1/customs/account-book", headers={"Authorization": f"Bearer {self.token()}"})
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(f"the account book (dispatch) is unreachable: {type(exc).__name__}; try again "
                                     "shortly") from None
        if r.status_code == 404:
            raise NotFound(f"the account book: {r.json().get('detail', 'not found')}")
        if r.status_code >= 300:
            raise ServiceUnavailable(f"the account book (dispatch) answered {r.status_code}; try again shortly")
        return parse(r.json())

    async def close(self) -> None:
        await self.client.aclose()


def parse(body: dict[str, Any]) -> tuple[Header, list[Item]]:
    b = body["book"]
    items = [Item(item_no=int(i["item_no"]), kind=i["kind"], material_no=i["material_no"], hs_code=i["hs_code"],
                  goods_name=i["goods_name"], specification=i["specification"], declared_unit=i["declared_unit"],
                  legal_unit=i["legal_unit"], legal_per_declared=Decimal(str(i["legal_per_declared"])),
                  second_unit=i.get("second_unit"),
                  second_per_declared=None if i.get("second_per_declared") is None
                  else Decimal(str(i["second_per_declared"])))
             for i in body["items"]]
    return Header(b["book_no"], b["customs_district"], b["enterprise_code"]), items
