"""The bonded ledger: record lines inside the caller's unit of work (no commit here), and the read side.

Lines caused by other services' events are always recorded (an impossible movement is reported as an
inconsistency, never refused); movements dispatch decides itself go through ``record_movement``, which refuses an
exit beyond what is on hand. Identities: see ``services.dispatch.domain.ledger``.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from services.dispatch.db import ledger_totals
from services.dispatch.db.ledger import LedgerRepository, LineFilter
from services.dispatch.db.ledger_totals import Total
from services.dispatch.domain import ledger, ledger_checks
from services.dispatch.domain.ledger import Category, ItemKind, Line, Movement, Report
from services.dispatch.domain.ledger_checks import Flag, FlagPolicy, Inconsistency
from services.dispatch.service.book_keeping import Keeper
from services.dispatch.service.uow import DispatchUnitOfWork as UoW
from services.kit.errors import NotFound, RuleViolation
from shared.clock import utc_now
from shared.contract.events.common import PartLine


def _repo(uow: UoW) -> LedgerRepository:
    return LedgerRepository(uow.session)


async def record(uow: UoW, *lines: Line) -> None:
    """Record lines caused by another service's event; a line already recorded for its source is skipped."""
    repo, now, keeper = _repo(uow), utc_now(), Keeper.of(uow.session)
    for line in lines:
        await repo.add(await keeper.entry(line), uow.actor or "system", now)


async def record_movement(uow: UoW, *, item_id: str, item_kind: str, category: str, movement: str,
                          quantity: int, documents: dict[str, str], at: datetime, owner_id: str | None = None,
                          source: str | None = None, note: str = "") -> None:
    """A movement dispatch decides (mostly exits): refused (RuleViolation) beyond what is on hand, or undocumented."""
    repo = _repo(uow)
    await repo.lock(item_id)
    first = await repo.first(item_id)
    facts: dict[str, Any] = {"part_number": first.part_number, "parent_id": first.parent_id, "origin": first.origin,
                             "serial_number": first.serial_number,
                             "bonded": first.bonded} if first else {}
    line = Line(item_id, item_kind, category, movement, quantity, at, dict(documents),  # type: ignore[arg-type]
                owner_id or (first.owner_id if first else None), source, note, **facts)
    ledger.check_decided(line, await repo.on_hand(item_id))
    await record(uow, line)


async def record_transfer(uow: UoW, *, item_id: str, item_kind: str, from_category: str,
                          to_category: str, quantity: int, at: datetime, documents: dict[str, str], source: str,
                          owner_id: str | None = None, note: str = "") -> None:
    """Move an item between categories: a transferred_out and a transferred_in line, same source and time."""
    common: dict[str, Any] = {"item_id": item_id, "item_kind": item_kind, "quantity": quantity, "at": at,
                              "documents": documents, "owner_id": owner_id, "source": source, "note": note}
    first = await _repo(uow).first(item_id)
    if first:
        common |= {"part_number": first.part_number, "parent_id": first.parent_id, "origin": first.origin,
                   "serial_number": first.serial_number}
    sides: tuple[dict[str, Any], ...] = ({"category": from_category, "movement": Movement.transferred_out},
                                         {"category": to_category, "movement": Movement.transferred_in})
    await record(uow, *(Line(**common, **side) for side in sides))


async def transfer_owner(uow: UoW, *, item_id: str, item_kind: str, from_owner: str, to_owner: str, at: datetime,
                         source: str, documents: dict[str, str]) -> None:
    """An exchange-pool allocation: the bonded item changes owner where it stands. A transferred_out line for the
    old owner and a transferred_in line for the new one, in the item's category, so balances per owner are true
    before and after (the category's own identity holds: the pair cancels out)."""
    first = await _repo(uow).first(item_id)
    facts = {"part_number": first.part_number, "parent_id": first.parent_id, "origin": first.origin,
             "serial_number": first.serial_number} if first else {}
    for category, quantity in (await holding(uow, item_id)).items():
        common: dict[str, Any] = {"item_id": item_id, "item_kind": ItemKind(item_kind), "category": category,
                                  "quantity": quantity, "at": at, "documents": documents, "source": source,
                                  "note": f"allocated from {from_owner} to {to_owner}", **facts}
        await record(uow, Line(**common, movement=Movement.transferred_out, owner_id=from_owner),
                     Line(**common, movement=Movement.transferred_in, owner_id=to_owner))


async def record_old_part(uow: UoW, *, old_part_id: str, unit_id: str, part_number: str, quantity: int,
                          origin: str, owner_id: str | None, disposal_deadline: datetime | None, at: datetime,
                          source: str, documents: dict[str, str] | None = None, kind: str = "old_part",
                          note: str = "") -> None:
    """A replaced old or bad part (or scrap) taken out of a unit becomes a ledger item of its own."""
    category = Category.scrap if kind == ItemKind.scrap else Category.old_parts
    await record(uow, Line(old_part_id, kind, category, Movement.received, quantity, at,  # type: ignore[arg-type]
                           dict(documents or {}), owner_id, source, note, part_number, unit_id, origin,
                           deadline=disposal_deadline))


async def consume_parts(uow: UoW, parts: Iterable[PartLine], *, unit_id: str, work_order_id: str,
                        owner_id: str | None, at: datetime, source: str, top_up: bool = False) -> None:
    """Parts built into a unit leave the parts category; a part line without a lot is taken from lots oldest first.

    ``top_up``: record only what earlier consumption lines into this unit do not already cover (a completed work
    order's parts_used repeats what its parts_consumed events said)."""
    repo = _repo(uow)
    done = await repo.consumed_into(unit_id) if top_up else {}
    wanted: dict[str, tuple[int, PartLine]] = {}
    for (pn, lot), (qty, p) in sorted(_merged(parts).items(), key=lambda kv: kv[0][1] is None):  # named lots first
        for item_id, n in await _split(repo, pn, lot, qty, p, done, wanted):
            if n > 0:
                wanted[item_id] = (wanted.get(item_id, (0, p))[0] + n, p)
    for item_id, (n, p) in wanted.items():
        await record(uow, Line(item_id, ItemKind.part_lot, Category.parts, Movement.consumed, n, at,
                               {"work_order": work_order_id}, owner_id, source, f"built into unit {unit_id}",
                               p.part_number, unit_id, p.origin, bonded=not item_id.endswith("#duty-paid")))


def _merged(parts: Iterable[PartLine]) -> dict[tuple[str, str | None], tuple[int, PartLine]]:
    """Quantities per (part number, lot): a part named twice counts once, summed."""
    merged: dict[tuple[str, str | None], tuple[int, PartLine]] = {}
    for p in parts:
        merged[(p.part_number, p.lot)] = (merged.get((p.part_number, p.lot), (0, p))[0] + p.quantity, p)
    return merged


async def _split(repo: LedgerRepository, pn: str, lot: str | None, qty: int, p: PartLine,
                 done: dict[str, tuple[str | None, int]],
                 wanted: dict[str, tuple[int, PartLine]]) -> list[tuple[str, int]]:
    """Which lots ``qty`` of ``pn`` comes from, less what ``done`` already recorded (consumed from ``done``)."""
    if lot:
        item_id = await _lot_item(repo, pn, lot, getattr(p, "bonded", None))
        return [(item_id, qty - done.pop(item_id, (pn, 0))[1])]
    already = sum(done.pop(i)[1] for i in [i for i, (n, _) in done.items() if n == pn])
    lots = [(i, held - wanted.get(i, (0, p))[0]) for i, held in await repo.lots_on_hand(pn)]
    return ledger.fifo(qty - already, lots, ledger.part_lot_id(pn, None))


async def _lot_item(repo: LedgerRepository, part_number: str, lot: str, bonded: bool | None) -> str:
    if bonded is not None:
        return ledger.part_lot_id(part_number, lot, bonded)
    bonded_id, paid_id = ledger.part_lot_id(part_number, lot), ledger.part_lot_id(part_number, lot, False)
    return paid_id if not await repo.first(bonded_id) and await repo.first(paid_id) else bonded_id


async def set_aside_rejected(uow: UoW, *, unit_id: str, owner_id: str, documents: dict[str, str],
                             at: datetime, source: str, reason: str) -> None:
    """A unit rejected after receipt waits apart, as unrepairable, until dispatch declares its return (that exit is
    recorded then); a unit rejected before receipt never entered the ledger, so there is nothing to record."""
    held = [c for c in await holding(uow, unit_id) if c is not Category.unrepairable_units]
    if held:
        await record_transfer(uow, item_id=unit_id, item_kind=ItemKind.unit, from_category=held[0],
                              to_category=Category.unrepairable_units, quantity=1, at=at, documents=documents,
                              source=source, owner_id=owner_id, note=f"rejected: {reason}")


def is_reversal(line: Line) -> bool:
    """A cancelled exit's counter-line: received back, with the cancelled declaration's documents (``cancels_*``)."""
    return line.movement is Movement.received and any(k.startswith("cancels_") for k in line.documents)


async def unreversed_exit(uow: UoW, item_id: str) -> tuple[Category, int] | None:
    """The category and quantity of the item's exits that no reversal line has brought back yet, if any."""
    net: dict[Category, int] = {}
    for ln in await _repo(uow).find(LineFilter(item_id=item_id), 10_000, 0):
        if ln.movement in ledger.EXITS or is_reversal(ln):
            net[ln.category] = net.get(ln.category, 0) + (-ln.quantity if is_reversal(ln) else ln.quantity)
    return next(((c, q) for c, q in net.items() if q > 0), None)


async def holding(uow: UoW, item_id: str) -> dict[Category, int]:
    """Where the item is on hand now (categories with a positive balance), inside the caller's unit of work."""
    return {c: q for c, q in (await _repo(uow).on_hand(item_id)).items() if q > 0}


# ---- read side: each opens the unit of work ------------------------------------------------------------------------

async def lines(uow: UoW, f: LineFilter, limit: int, offset: int) -> list[Line]:
    async with uow:
        return await _repo(uow).find(f, limit, offset)


async def item(uow: UoW, item_id: str, limit: int = 10_000) -> tuple[list[Line], dict[Category, int]]:
    async with uow:
        found = await _repo(uow).find(LineFilter(item_id=item_id), limit, 0)
        if not found:
            raise NotFound(f"item {item_id} has no ledger line")
        return found, await _repo(uow).on_hand(item_id)


async def totals(uow: UoW) -> list[Total]:
    """Every line ever recorded, summed per (category, movement, bonded): the ledger's running totals."""
    async with uow:
        return await ledger_totals.totals(uow.session)


async def balances(uow: UoW, as_of: datetime | None, owner_id: str | None = None) -> Report:
    async with uow:
        return ledger.reconcile([], await _repo(uow).positions(until=as_of, owner_id=owner_id), bool(owner_id))


async def reconciliation(uow: UoW, since: datetime, until: datetime, owner_id: str | None = None) -> Report:
    if since >= until:
        raise RuleViolation("the period's start must be before its end", field="from")
    async with uow:
        repo = _repo(uow)
        return ledger.reconcile(await repo.positions(until=since, owner_id=owner_id),
                                await repo.positions(since, until, owner_id), bool(owner_id))


async def flags(uow: UoW, now: datetime, policy: FlagPolicy, include_ok: bool = False) -> list[Flag]:
    async with uow:
        return ledger_checks.flags(await _repo(uow).positions(), now, policy, include_ok)


async def inconsistencies(uow: UoW) -> list[Inconsistency]:
    async with uow:
        repo = _repo(uow)
        return ledger_checks.inconsistencies(await repo.positions(), await repo.negatives(), await repo.undocumented())
