"""Drawing on free stock, oldest lot first, by conditional updates that lose races safely and retry."""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from services.repair.domain.stock import StockLot
from services.repair.service.uow import RepairUnitOfWork

MAX_ROUNDS = 50  # each round re-reads the lots; a round only fails when another transaction won that lot


async def _draw(uow: RepairUnitOfWork, part_number: str, quantity: int, bonded: bool | None,
                take: Callable[[int, int], Awaitable[bool]]) -> list[tuple[StockLot, int]]:
    got: list[tuple[StockLot, int]] = []
    remaining = quantity
    for _ in range(MAX_ROUNDS):
        if remaining == 0:
            break
        lots = await uow.stock.lots(part_number, bonded, free_only=True, limit=1)
        if not lots:
            break
        n = min(remaining, lots[0].free)
        if await take(lots[0].id, n):
            got.append((lots[0], n))
            remaining -= n
    return got


async def reserve_free(uow: RepairUnitOfWork, part_number: str, quantity: int,
                       bonded: bool | None) -> list[tuple[StockLot, int]]:
    """Reserve up to ``quantity`` of free stock; returns the lots and how many from each."""
    return await _draw(uow, part_number, quantity, bonded, uow.stock.reserve)


async def consume_free(uow: RepairUnitOfWork, part_number: str, quantity: int,
                       bonded: bool | None) -> list[tuple[StockLot, int]]:
    """Take up to ``quantity`` of free (unreserved) stock out of the store."""
    return await _draw(uow, part_number, quantity, bonded, uow.stock.consume_free)
