"""What an owner may read: its units, their status and timeline, pending quotes, and its event feed.

Every query is scoped by owner: a unit of another owner is simply not found, and the feed only ever returns the
journal rows recorded for this owner.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import asdict
from typing import Any

from services.partners.domain.unit_status import UnitStatus
from services.partners.service.journal import as_cloudevent
from services.partners.service.uow import PartnersUnitOfWork
from services.kit.errors import DomainError, NotFound

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


async def feed(uow: PartnersUnitOfWork, owner_id: str, cursor: str | None, limit: int,
               types: list[str] | None) -> dict[str, Any]:
    """The owner's events after ``cursor``, oldest first; ``next_cursor`` resumes after the last one returned."""
    after = decode_cursor(cursor)
    async with uow:
        entries = await uow.journal.feed(owner_id, after, limit + 1, types)
    page, more = entries[:limit], len(entries) > limit
    last = page[-1].seq if page else after
    return {"events": [as_cloudevent(e) | {"cursor": encode_cursor(e.seq)} for e in page],
            "next_cursor": encode_cursor(last), "has_more": more}


def _status(s: UnitStatus) -> dict[str, Any]:
    return asdict(s)


async def units(uow: PartnersUnitOfWork, owner_id: str, after: str | None, limit: int, stage: str | None,
                state: str | None) -> dict[str, Any]:
    async with uow:
        found = await uow.journal.units(owner_id, after or "", limit + 1, stage, state)
    page = found[:limit]
    return {"units": [_status(s) for s in page],
            "next_after": page[-1].unit_id if len(found) > limit else None}


async def unit(uow: PartnersUnitOfWork, owner_id: str | None, unit_id: str) -> dict[str, Any]:
    """A unit's status and its timeline (for an owner: only the events recorded while it was theirs)."""
    async with uow:
        status = await uow.journal.status(unit_id)
        if status is None or (owner_id is not None and status.owner_id != owner_id):
            raise NotFound(f"unit {unit_id} not found")
        entries = await uow.journal.timeline(unit_id, owner_id)
    return _status(status) | {"timeline": [as_cloudevent(e) for e in entries]}


async def pending_quotes(uow: PartnersUnitOfWork, owner_id: str, limit: int, repair_base_url: str) -> list[dict]:
    """Quotes waiting for this owner's decision, with the latest quote and where to send the decision."""
    async with uow:
        waiting = await uow.journal.pending_quotes(owner_id, limit)
        quotes = await uow.journal.latest([s.unit_id for s in waiting],
                                          "com.bondline.repair.work_order.quote_issued.v1")
    return [{"unit_id": s.unit_id, "work_order_id": s.work_order_id, "serial_number": s.serial_number,
             "part_number": s.part_number, "quote": q.data if q else None,
             "decide": {"method": "POST", "url": f"{repair_base_url}/v1/work-orders/{s.work_order_id}/quote/decision",
                        "body": {"approve": True, "note": "…"}}}
            for s in waiting for q in [quotes.get(s.unit_id)]]
