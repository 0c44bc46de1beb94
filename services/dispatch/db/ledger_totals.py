"""The ledger's running totals: the quantity of every line per (category, movement, bonded), kept by the ledger.

``LedgerRepository.add`` counts each line it inserts (``count``). A transaction's counts are summed in memory and
written once, just before it commits, in key order, by one statement that adds to the rows (INSERT ... ON CONFLICT
DO UPDATE). So the totals commit or roll back with their lines, and the few rows everyone adds to are locked only
for the last moment of a commit, always in the same order: two consumers' transactions never deadlock on them.
Migration 0010 filled the table from the lines recorded before it.
"""
from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from sqlalchemy import BigInteger, Boolean, String, event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from services.dispatch.db.tables import Base
from services.dispatch.domain.ledger import Line
from shared.messaging.sql import upsert

_PENDING = "ledger_totals_pending"


class LedgerTotalRow(Base):
    __tablename__ = "ledger_totals"
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    movement: Mapped[str] = mapped_column(String(16), primary_key=True)
    bonded: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    quantity: Mapped[int] = mapped_column(BigInteger)


TOTALS = LedgerTotalRow.__table__


class Total(NamedTuple):
    category: str
    movement: str
    bonded: bool
    quantity: int


def count(session: AsyncSession, line: Line) -> None:
    """Add a newly inserted line to its total (written when the transaction commits)."""
    pending: Counter = session.info.setdefault(_PENDING, Counter())
    pending[(str(line.category), str(line.movement), bool(line.bonded))] += line.quantity


async def totals(session: AsyncSession) -> list[Total]:
    q = select(TOTALS.c.category, TOTALS.c.movement, TOTALS.c.bonded, TOTALS.c.quantity).where(TOTALS.c.quantity != 0)
    rows = await session.execute(q.order_by(TOTALS.c.category, TOTALS.c.movement, TOTALS.c.bonded))
    return [Total(c, m, bool(b), int(n)) for c, m, b, n in rows]


@event.listens_for(Session, "before_commit")
def _write(session: Session) -> None:
    pending: Counter | None = session.info.pop(_PENDING, None)
    if not pending:
        return
    stmt = upsert(session, TOTALS)  # type: ignore[arg-type]
    stmt = stmt.on_conflict_do_update(index_elements=[TOTALS.c.category, TOTALS.c.movement, TOTALS.c.bonded],
                                      set_={"quantity": TOTALS.c.quantity + stmt.excluded.quantity})
    session.execute(stmt, [{"category": c, "movement": m, "bonded": b, "quantity": n}
                           for (c, m, b), n in sorted(pending.items()) if n])


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # rolled back (or committed): nothing of it is left to write
        session.info.pop(_PENDING, None)
