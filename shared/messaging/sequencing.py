"""What a consumer has seen of each producer's per-key sequence, and the gaps it found.

``event_sequences`` holds, per (consumer, source, key), the last ce_sequence applied (or ignored, or
dead-lettered: every event of a subscribed topic counts). It moves only forward, in the handler's
transaction, so a gap is visible as soon as a later event arrives.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import case, func, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import utc_now
from shared.messaging.sql import upsert
from shared.messaging.tables import SequenceTables


class SequenceStore:
    def __init__(self, consumer: str, tables: SequenceTables) -> None:
        self.consumer, self.t = consumer, tables

    async def last_seen(self, session: AsyncSession, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """(source, key) -> the last sequence this consumer has; absent pairs have none (0)."""
        pairs = list(set(pairs))
        seen, out = self.t.seen, {}
        for i in range(0, len(pairs), 500):
            rows = await session.execute(select(seen.c.source, seen.c.key, seen.c.last_seq).where(
                seen.c.consumer == self.consumer,
                tuple_(seen.c.source, seen.c.key).in_(pairs[i:i + 500])))
            out.update({(r.source, r.key): r.last_seq for r in rows})
        return out

    async def advance(self, session: AsyncSession, marks: dict[tuple[str, str], int]) -> None:
        """Raise each (source, key) to at least its sequence (never lowers one: another instance may be ahead)."""
        if not marks:
            return
        seen = self.t.seen
        stmt = upsert(session, seen)
        stmt = stmt.on_conflict_do_update(
            index_elements=[seen.c.consumer, seen.c.source, seen.c.key],
            set_={"last_seq": case((seen.c.last_seq < stmt.excluded.last_seq, stmt.excluded.last_seq),
                                   else_=seen.c.last_seq)})
        await session.execute(stmt, [{"consumer": self.consumer, "source": s, "key": k, "last_seq": n}
                                     for (s, k), n in sorted(marks.items())])

    async def record_gap(self, session: AsyncSession, source: str, key: str, first: int, last: int,
                         status: str, found_by: str, detail: str | None = None) -> None:
        await session.execute(insert(self.t.gaps).values(
            consumer=self.consumer, source=source, key=key, from_seq=first, to_seq=last, status=status,
            found_by=found_by, detected_at=utc_now(), detail=detail))

    async def cursor(self, session: AsyncSession, source: str) -> int:
        c = self.t.cursors
        return await session.scalar(select(c.c.after_id).where(
            c.c.consumer == self.consumer, c.c.source == source)) or 0

    async def save_cursor(self, session: AsyncSession, source: str, after_id: int) -> None:
        c = self.t.cursors
        stmt = upsert(session, c).values(
            consumer=self.consumer, source=source, after_id=after_id, checked_at=utc_now())
        await session.execute(stmt.on_conflict_do_update(
            index_elements=[c.c.consumer, c.c.source],
            set_={"after_id": stmt.excluded.after_id, "checked_at": stmt.excluded.checked_at}))


async def lost_summary(session: AsyncSession, tables: SequenceTables, recent: int = 10) -> dict[str, Any]:
    """For /readyz and /metrics: how many events are lost for good, and the latest such gaps."""
    g = tables.gaps
    lost = g.c.status == "lost"
    total = await session.scalar(select(func.coalesce(func.sum(g.c.to_seq - g.c.from_seq + 1), 0)).where(lost))
    rows = (await session.execute(select(g).where(lost).order_by(g.c.id.desc()).limit(recent))).mappings().all()
    return {"events": int(total or 0),
            "latest": [{"consumer": r["consumer"], "source": r["source"], "key": r["key"],
                        "sequences": [r["from_seq"], r["to_seq"]], "detected_at": r["detected_at"].isoformat(),
                        "detail": r["detail"]} for r in rows]}


async def list_gaps(session: AsyncSession, tables: SequenceTables, status: str | None, limit: int,
                    offset: int) -> list[dict[str, Any]]:
    g = tables.gaps
    q = select(g).order_by(g.c.id.desc()).limit(limit).offset(offset)
    if status is not None:
        q = q.where(g.c.status == status)
    return [dict(r) for r in (await session.execute(q)).mappings().all()]


async def resolve_gap(session: AsyncSession, tables: SequenceTables, gap_id: int,
                      note: str) -> tuple[dict[str, Any] | None, bool]:
    """An operator has dealt with a lost gap by hand: it leaves /readyz, and stays on record.

    Returns the gap (None if there is none) and whether this call resolved it (only a lost gap can be)."""
    g = tables.gaps
    row = (await session.execute(select(g).where(g.c.id == gap_id).with_for_update())).mappings().first()
    if row is None or row["status"] != "lost":
        return (dict(row) if row is not None else None), False
    detail = f"{row['detail'] or ''}; resolved: {note}".lstrip("; ")
    await session.execute(g.update().where(g.c.id == gap_id).values(status="resolved", detail=detail))
    return {**row, "status": "resolved", "detail": detail}, True
