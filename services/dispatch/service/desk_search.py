"""The desk's search beyond serials, part numbers and ids: a document number (an entry or exit inventory list
核注清单, a gate pass 核放单, a shipment's tracking number, the numbers customs gave a filing) or an owner's name;
and the owners' names for their ids (the desk shows owners by name).

Where each number lives: an entry's documents on the unit's timeline (the desk's read model, from intake's events),
an exit's on dispatch's item (``exit_documents``) and its timeline, a filing's QD and HF numbers on the filing, a
tracking number on the shipment. The units table then selects the rows of ``dash_items`` that match by serial,
part number, id, one of those documents or the owner, with its other filters, sort and paging as before.

The timeline and the items' documents are JSON without an index of their own: a number is looked for there only
when it looks like one (``DOCUMENT``), and the search reads those columns whole (see the report for the index).
"""
from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, cast, func, or_, select

from services.dispatch.db.dashboard import DashItemRow, ItemFilter
from services.dispatch.db.desk import DeskTimelineRow
from services.dispatch.db.filings import FilingRow
from services.dispatch.db.owners import OwnerRow
from services.dispatch.db.tables import DispatchItemRow, ShipmentRow
from services.dispatch.service.uow import DispatchUnitOfWork as UoW

COLUMNS = tuple(DashItemRow.__table__.columns)
DOCUMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{5,39}$")  # QD.., HF.., GP.., a tracking number: no wildcards
MAX_MATCHES = 2000
MAX_OWNERS = 200


@dataclass(frozen=True)
class Found:
    """What a term names besides a serial, part number or id."""
    item_ids: frozenset[str] = field(default_factory=frozenset)   # by an exit document, filing or shipment
    unit_ids: frozenset[str] = field(default_factory=frozenset)   # by a document on the unit's timeline
    owner_ids: frozenset[str] = field(default_factory=frozenset)  # by the owner's name


@dataclass(frozen=True)
class Search:
    """The units table's query: the desk's filter, a term (scanned or typed) and an owner (id or name)."""
    filter: ItemFilter
    term: str | None = None
    owner: str | None = None


def _quoted(term: str) -> str:
    return f'%"{term}"%'  # the number as a whole JSON string value


async def _by_document(uow: UoW, term: str) -> tuple[set[str], set[str]]:
    s, items, units = uow.session, set[str](), set[str]()
    for row in await s.execute(select(FilingRow.item_ids).where(
            or_(FilingRow.list_no == term, FilingRow.pass_no == term)).limit(MAX_MATCHES)):
        items |= set(row[0])
    shipped = select(ShipmentRow.id).where(ShipmentRow.tracking_number == term)
    exits = cast(DispatchItemRow.exit_documents, Text).like(_quoted(term))
    items |= set(await s.scalars(select(DispatchItemRow.item_id).where(
        or_(DispatchItemRow.shipment_id.in_(shipped), exits)).limit(MAX_MATCHES)))
    for unit_id, data in await s.execute(select(DeskTimelineRow.unit_id, DeskTimelineRow.data).where(
            cast(DeskTimelineRow.data, Text).like(_quoted(term))).limit(MAX_MATCHES)):
        if term in (data.get("documents") or {}).values():  # a document's number, not a serial that looks like one
            units.add(unit_id)
    return items, units


async def _owners_named(uow: UoW, text: str) -> set[str]:
    """Owners whose name contains ``text`` (any case); the register is small (one row per owner)."""
    needle = text.strip().lower()
    if len(needle) < 2:
        return set()
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    q = select(OwnerRow.owner_id).where(func.lower(OwnerRow.name).like(f"%{escaped}%", escape="\\"))
    return set(await uow.session.scalars(q.limit(MAX_OWNERS)))


async def _found(uow: UoW, term: str) -> Found:
    items, units = await _by_document(uow, term) if DOCUMENT.match(term) else (set(), set())
    return Found(frozenset(items), frozenset(units), frozenset(await _owners_named(uow, term)))


async def _query(uow: UoW, q: Search) -> Select[Any]:
    r, f, where = DashItemRow, q.filter, []
    if q.term and q.term.strip():
        term = q.term.strip()
        found = await _found(uow, term)
        match: list[ColumnElement[bool]] = [r.serial_number == term, r.part_number == term, r.item_id == term,
                                            r.unit_id == term]
        if found.item_ids:
            match.append(r.item_id.in_(found.item_ids))
        if found.unit_ids:
            match.append(r.unit_id.in_(found.unit_ids))
        if found.owner_ids:
            match.append(r.owner_id.in_(found.owner_ids))
        where.append(or_(*match))
    if q.owner and q.owner.strip():
        owner = q.owner.strip()
        named = await _owners_named(uow, owner) if await uow.owners.get(owner) is None else set()
        where.append(r.owner_id.in_(named) if named else r.owner_id == owner)
    chosen = ItemFilter(stage=f.stage, state=f.state, kind=f.kind, due_kind=f.due_kind, sort=f.sort,
                        descending=f.descending, owner_id=f.owner_id)
    return chosen.query(select(*COLUMNS).where(*where) if where else select(*COLUMNS))


async def items(uow: UoW, q: Search, limit: int, offset: int) -> list[Any]:
    """A page of the units table (plain rows of ``dash_items``, like service/desk.py's)."""
    async with uow:
        return list(await uow.session.execute((await _query(uow, q)).limit(limit).offset(offset)))


async def export(uow: UoW, q: Search, chunk: int = 1000) -> AsyncIterator[tuple[list[Any], dict[str, str]]]:
    """Every row ``q`` selects, ``chunk`` at a time from one server-side cursor (the CSV and Excel exports), each
    chunk with its owners' names (read in the same transaction)."""
    async with uow:
        result = await uow.session.stream((await _query(uow, q)).execution_options(yield_per=chunk))
        async for part in result.partitions(chunk):
            rows = list(part)
            yield rows, await _names(uow, (r.owner_id for r in rows))


async def _names(uow: UoW, ids: Iterable[str | None]) -> dict[str, str]:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    rows = await uow.session.execute(select(OwnerRow.owner_id, OwnerRow.name).where(OwnerRow.owner_id.in_(wanted)))
    return {owner_id: name for owner_id, name in rows}


async def owner_names(uow: UoW, ids: Iterable[str | None]) -> dict[str, str]:
    """The registered owners' names by id (an owner dispatch has not heard of keeps its id)."""
    async with uow:
        return await _names(uow, ids)
