"""What an owner may read: its units, their status and timeline, pending quotes, and its event feed.

Every query is scoped by owner: a unit of another owner is simply not found, and the feed only ever returns the
journal rows recorded for this owner.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from services.kit.errors import DomainError, NotFound
from services.partners.db.journal_repo import Entry
from services.partners.domain.unit_status import UnitStatus
from services.partners.service.uow import PartnersUnitOfWork

CURSOR_PREFIX = "j1:"


class BadCursor(DomainError):
    status = 400


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if raw.startswith(CURSOR_PREFIX) and raw[len(CURSOR_PREFIX):].isdigit():
            return int(raw[len(CURSOR_PREFIX):])
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise BadCursor(f"cursor {cursor!r} is not one this feed issued; start without a cursor or use next_cursor")


@dataclass(frozen=True)
class Feed:
    entries: list[Entry]
    next_cursor: str
    has_more: bool


@dataclass(frozen=True)
class UnitsPage:
    units: list[UnitStatus]
    next_after: str | None


@dataclass(frozen=True)
class PendingQuote:
    status: UnitStatus
    quote: Entry | None


async def feed(uow: PartnersUnitOfWork, owner_id: str, cursor: str | None, limit: int,
               types: list[str] | None) -> Feed:
    """The owner's events after ``cursor``, oldest first; ``next_cursor`` resumes after the last one returned."""
    after = decode_cursor(cursor)
    async with uow:
        entries = await uow.journal.feed(owner_id, after, limit + 1, types)
    page = entries[:limit]
    return Feed(page, encode_cursor(page[-1].seq if page else after), len(entries) > limit)


async def units(uow: PartnersUnitOfWork, owner_id: str, after: str | None, limit: int, stage: str | None,
                state: str | None) -> UnitsPage:
    async with uow:
        found = await uow.journal.units(owner_id, after or "", limit + 1, stage, state)
    page = found[:limit]
    return UnitsPage(page, page[-1].unit_id if len(found) > limit else None)


async def unit(uow: PartnersUnitOfWork, owner_id: str | None, unit_id: str) -> tuple[UnitStatus, list[Entry]]:
    """A unit's status and its timeline (for an owner: only the events recorded while it was theirs)."""
    async with uow:
        status = await uow.journal.status(unit_id)
        if status is None or (owner_id is not None and status.owner_id != owner_id):
            raise NotFound(f"unit {unit_id} not found")
        return status, await uow.journal.timeline(unit_id, owner_id)


async def pending_quotes(uow: PartnersUnitOfWork, owner_id: str, limit: int) -> list[PendingQuote]:
    """Quotes waiting for this owner's decision, each with the latest quote_issued event."""
    async with uow:
        waiting = await uow.journal.pending_quotes(owner_id, limit)
        quotes = await uow.journal.latest([s.unit_id for s in waiting],
                                          "com.bondline.repair.work_order.quote_issued.v1")
    return [PendingQuote(s, quotes.get(s.unit_id)) for s in waiting]
