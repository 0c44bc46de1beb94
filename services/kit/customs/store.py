"""Every message sent to the customs platform and every receipt that came back, with their states, and the position
in the platform's receipt feed: the same three tables in each service that declares (its own database), and the two
steps of its customs worker over them.

``send_pending`` sends what waits, each marked sent (or its error kept) in its own transaction; ``poll`` reads the
feed from the stored position, stores each receipt once and hands it to the service's ``apply`` in the transaction
that moves the position. So a crash loses nothing: a message not marked sent is sent again (the platform answers a
resent message id with the same receipts) and a receipt read twice changes nothing."""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, Text, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.kit.customs.lifecycle import Lifecycle
from services.kit.customs.platform import Platform, PlatformError
from services.kit.db import UtcDateTime
from services.kit.errors import Conflict, RuleViolation
from shared.clock import utc_now
from shared.contract.customs import rules, xml
from shared.contract.customs.messages import Message, Receipt
from shared.messaging.sql import rowcount

log = logging.getLogger("bondline.customs")
FEED = "receipts"


@dataclass(frozen=True)
class CustomsTables:
    messages: Table
    receipts: Table
    feed: Table


def customs_tables(metadata: MetaData) -> CustomsTables:
    """``customs_messages`` (each with the filing it belongs to), ``customs_receipts``, ``customs_feed``."""
    messages = Table(
        "customs_messages", metadata,
        Column("message_id", String(36), primary_key=True),
        Column("filing_id", String(36), nullable=False, index=True),
        Column("kind", String(16), nullable=False),
        Column("state", String(16), nullable=False, index=True),       # pending | sent
        Column("document", Text, nullable=False),                      # the XML as sent
        Column("attempts", Integer, nullable=False),
        Column("last_error", Text),
        Column("created_at", UtcDateTime, nullable=False),
        Column("sent_at", UtcDateTime))
    receipts = Table(
        "customs_receipts", metadata,
        Column("receipt_id", String(64), primary_key=True),
        Column("message_id", String(36), nullable=False, index=True),
        Column("kind", String(16), nullable=False),
        Column("number", String(18)),
        Column("simulated", Boolean, nullable=False),
        Column("document", Text, nullable=False),
        Column("received_at", UtcDateTime, nullable=False))
    feed = Table(
        "customs_feed", metadata,
        Column("name", String(32), primary_key=True),
        Column("after", Integer, nullable=False))
    return CustomsTables(messages, receipts, feed)


class MessageStore:
    def __init__(self, session: AsyncSession, tables: CustomsTables) -> None:
        self.session, self.t = session, tables

    async def add_message(self, message_id: str, filing_id: str, kind: str, document: str, at: datetime) -> None:
        await self.session.execute(self.t.messages.insert().values(
            message_id=message_id, filing_id=filing_id, kind=kind, state="pending", document=document, attempts=0,
            created_at=at))

    async def queue(self, filing: Lifecycle, msg: Message, actor: str, field: str) -> None:
        """Check the message by customs' published rules, move the filing (its ``sending``) and keep the message
        to go out (the worker sends it): in the caller's transaction, with the filing saved beside it."""
        filing.sending(msg.kind, msg.message_id, msg.sent_at, actor)  # what the filing's state allows first
        problems = rules.check(msg)
        if problems:
            raise RuleViolation(f"the {msg.kind.value.replace('_', ' ')} breaks customs' rules: " + "; ".join(problems),
                                field=field)
        await self.add_message(msg.message_id, filing.id, msg.kind.value, xml.dumps(msg).decode(), msg.sent_at)

    async def pending(self, limit: int = 50) -> list[Any]:
        """Plain rows (they outlive the session), oldest first."""
        m = self.t.messages
        return list(await self.session.execute(
            select(m).where(m.c.state == "pending").order_by(m.c.created_at).limit(limit)))

    async def mark(self, message_id: str, sent_at: datetime | None, error: str | None) -> None:
        m = self.t.messages
        values: dict[str, object] = {"attempts": m.c.attempts + 1, "last_error": error}
        if sent_at is not None:
            values |= {"state": "sent", "sent_at": sent_at}
        await self.session.execute(update(m).where(m.c.message_id == message_id).values(**values))

    async def messages(self, filing_id: str) -> list[Any]:
        m = self.t.messages
        return list(await self.session.execute(select(m).where(m.c.filing_id == filing_id).order_by(m.c.created_at)))

    async def filing_of(self, message_id: str) -> str | None:
        m = self.t.messages
        found: str | None = await self.session.scalar(select(m.c.filing_id).where(m.c.message_id == message_id))
        return found

    async def receipts(self, message_ids: list[str]) -> list[Any]:
        r = self.t.receipts
        return list(await self.session.execute(
            select(r).where(r.c.message_id.in_(message_ids)).order_by(r.c.received_at)))

    async def add_receipt(self, receipt: Receipt, document: bytes) -> bool:
        """Store a receipt once (a duplicate from the platform, or the feed read again, is skipped)."""
        r = self.t.receipts
        if await self.session.scalar(select(r.c.receipt_id).where(r.c.receipt_id == receipt.receipt_id)):
            return False
        await self.session.execute(r.insert().values(
            receipt_id=receipt.receipt_id, message_id=receipt.message_id, kind=receipt.kind.value,
            number=receipt.number, simulated=receipt.simulated, document=document.decode(), received_at=utc_now()))
        return True

    async def cursor(self) -> int:
        f = self.t.feed
        return int(await self.session.scalar(select(f.c.after).where(f.c.name == FEED)) or 0)

    async def move_cursor(self, after: int) -> None:
        f = self.t.feed
        done = await self.session.execute(update(f).where(f.c.name == FEED).values(after=after))
        if not rowcount(done):
            await self.session.execute(f.insert().values(name=FEED, after=after))


# ---- the customs worker's two steps --------------------------------------------------------------------------

Apply = Callable[[Any, Receipt], Awaitable[bool]]
"""The service's part: apply a receipt (new to this database) to its filing inside the unit of work; False when the
receipt answers no message of this service's (the feed is the platform's, shared by every declarant)."""


async def send_pending(uow_factory: Callable[[], Any], tables: CustomsTables, platform: Platform) -> int:
    """Send the messages that wait, oldest first; each marked sent (or its error kept) in its own transaction."""
    async with uow_factory() as uow:
        waiting = [(m.message_id, m.document) for m in await MessageStore(uow.session, tables).pending()]
    sent = 0
    for message_id, document in waiting:
        error = None
        try:
            await platform.send(document.encode())
        except PlatformError as exc:
            error = str(exc)
            log.warning("customs message %s not sent: %s", message_id, error)
        async with uow_factory() as uow:
            await MessageStore(uow.session, tables).mark(message_id, None if error else utc_now(), error)
            await uow.commit()
        if error:
            break  # the platform is down or refusing: try again on the next round, in order
        sent += 1
    return sent


async def poll(uow_factory: Callable[[], Any], tables: CustomsTables, platform: Platform, apply: Apply) -> int:
    """Read the receipt feed from the stored position; apply each receipt to its filing (position moved with it)."""
    async with uow_factory() as uow:
        after = await MessageStore(uow.session, tables).cursor()
    documents, next_after = await platform.receipts(after)
    applied = 0
    for n, document in enumerate(documents, after + 1):
        async with uow_factory() as uow:
            store = MessageStore(uow.session, tables)
            applied += await _apply(uow, store, document, apply)
            await store.move_cursor(n)
            await uow.commit()
    if not documents and next_after != after:  # the platform's feed restarted (the simulator keeps it in memory)
        async with uow_factory() as uow:
            await MessageStore(uow.session, tables).move_cursor(next_after)
            await uow.commit()
    return applied


async def _apply(uow: Any, store: MessageStore, document: bytes, apply: Apply) -> int:
    try:
        r = xml.loads(document, Receipt)
    except xml.MessageError as exc:
        log.error("customs receipt refused, skipped: %s", exc)
        return 0
    if await store.filing_of(r.message_id) is None:
        return 0  # another declarant's receipt (the feed is the platform's): not stored here
    if not await store.add_receipt(r, document):
        return 0  # a duplicate receipt: stored once, applied once
    return int(await apply(uow, r))


F = TypeVar("F", bound=Lifecycle)


class Filings(Generic[F]):
    """A service's filings (a dataclass over ``Lifecycle``, one column per field) beside the shared message store;
    saved under optimistic locking on the row's ``version``, read for update."""

    def __init__(self, session: AsyncSession, tables: CustomsTables, row: type[Any], make: Callable[[Any], F],
                 what: str) -> None:
        self.session, self.store = session, MessageStore(session, tables)
        self.row, self.make, self.what = row, make, what
        self._versions: dict[str, int] = {}

    async def add(self, f: F, at: datetime, actor: str) -> None:
        self.session.add(self.row(**_values(f), created_at=at, created_by=actor, version=1))
        await self.session.flush()
        self._versions[f.id] = 1

    async def get(self, filing_id: str) -> F | None:
        row = await self.session.get(self.row, filing_id, with_for_update=True)
        if row is None:
            return None
        self._versions[row.id] = row.version
        return self.make(row)

    async def by_message(self, message_id: str) -> F | None:
        """The filing a message of the store belongs to."""
        filing_id = await self.store.filing_of(message_id)
        return await self.get(filing_id) if filing_id else None

    async def save(self, f: F) -> None:
        done = await self.session.execute(update(self.row).where(
            self.row.id == f.id, self.row.version == self._versions[f.id]).values(
            **_values(f), version=self.row.version + 1))
        if rowcount(done) != 1:
            raise Conflict(f"{self.what} {f.id} changed meanwhile; read it again")
        self._versions[f.id] += 1

    async def find(self, state: str | None, limit: int) -> list[F]:
        q = select(self.row).order_by(self.row.created_at.desc()).limit(limit)
        q = q.where(self.row.state == state) if state else q
        return [self.make(r) for r in await self.session.scalars(q)]


def _values(f: Lifecycle) -> dict[str, Any]:
    return asdict(f) | {"state": f.state.value}  # type: ignore[call-overload]
