"""Upgrading an installation whose dispatch held the journal, unit status and webhooks: take them over, once.

On the first start after the upgrade (right after partners' migrations), every row of dispatch's ``journal``,
``unit_status``, ``webhook_endpoints``, ``webhook_deliveries`` and ``webhook_attempts`` is copied into partners'
database with its keys unchanged: journal ``seq`` values (the owners' feed cursors and each endpoint's
``cursor_seq`` point at them), endpoint ids and secrets, the delivery log. What dispatch's consumer had seen of
each producer's sequence comes along as partners' consumer's, so gap recovery carries on where it stood. The copy
and a ``legacy_imports`` row commit in one transaction: a second start (or a second replica racing the first) finds
the row (on PostgreSQL it first waits on an advisory lock while the other copies; on SQLite the file lock
serialises them) and copies nothing twice. Dispatch's migration 0011 renames its old tables
``moved_to_partners_*`` (nothing is deleted); either name is read here.

Events dispatch journaled after the copy was taken are not lost: partners' consumer group is new, reads the topics
from the start, and the journal skips events it already holds (by event id).
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, MetaData, Table, func, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.partners.db import stage_moves
from services.partners.db.tables import legacy_imports, metadata
from shared.clock import utc_now

log = logging.getLogger("bondline.partners.import")
SOURCE = "dispatch"
MOVED_PREFIX = "moved_to_partners_"
TABLES = ("journal", "unit_status", "webhook_endpoints", "webhook_deliveries", "webhook_attempts")
CONSUMER_STATE = ("event_sequences", "event_cursors")  # rows of consumer bondline.dispatch become partners'
OLD_CONSUMER, NEW_CONSUMER = "bondline.dispatch", "bondline.partners"
SERIALS = {"journal": "seq", "webhook_attempts": "id"}  # PostgreSQL sequences to move past the copied keys
CHUNK = 2000
IMPORT_LOCK = 0x62_6C_70_61_72_74  # "blpart": the transaction-scoped advisory lock of the takeover


async def import_from_dispatch(source: AsyncEngine, target: AsyncEngine) -> dict[str, int] | None:
    """Copy dispatch's partner data into partners' database; the counts copied, or None if done before."""
    async with target.begin() as conn:
        if conn.dialect.name == "postgresql":  # replicas starting together: one imports, the others wait, then see it
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK})
        if await conn.scalar(select(legacy_imports.c.source).where(legacy_imports.c.source == SOURCE)):
            return None
        async with source.connect() as src:
            found = await src.run_sync(_legacy_tables)
            await _refuse_two_journals(src, conn, found)
            counts = {name: await _copy(src, conn, table, metadata.tables[name]) for name, table in found.items()}
            for name in CONSUMER_STATE:
                counts[name] = await _copy_consumer_state(src, conn, name)
        for statement in stage_moves.upgrade_statements():  # rows from before the one vocabulary of stages
            await conn.execute(statement)
        if conn.dialect.name == "postgresql":
            for name, column in SERIALS.items():
                await _advance_serial(conn, name, column)
        await conn.execute(legacy_imports.insert().values(source=SOURCE, imported_at=utc_now(), counts=counts))
    log.info("took over dispatch's journal, unit status and webhooks: %s", counts)
    return counts


class TwoJournals(RuntimeError):
    """Partners already keeps a journal of its own, and dispatch's old one is not empty."""


async def _refuse_two_journals(src: AsyncConnection, dst: AsyncConnection, found: dict[str, Table]) -> None:
    old = found.get("journal")
    theirs = await src.scalar(select(func.count()).select_from(old)) if old is not None else 0
    ours = await dst.scalar(select(func.count()).select_from(metadata.tables["journal"]))
    if theirs and ours:
        raise TwoJournals(
            f"partners already holds {ours} journal rows and dispatch's database {theirs}: merging them would give "
            "two events one feed cursor. Point PARTNERS_DATABASE_URL at an empty database to take dispatch's "
            "over, or set PARTNERS_IMPORT_FROM_URL to a database without them to skip the import")


def _legacy_tables(sync_conn: Any) -> dict[str, Table]:
    """Dispatch's old tables under either name, reflected (only the ones that exist)."""
    names = set(inspect(sync_conn).get_table_names())
    out, md = {}, MetaData()
    for name in TABLES:
        for candidate in (name, f"{MOVED_PREFIX}{name}"):
            if candidate in names:
                out[name] = Table(candidate, md, autoload_with=sync_conn)
                break
    return out


async def _copy(src: AsyncConnection, dst: AsyncConnection, old: Table, new: Table) -> int:
    """Every row of ``old`` into ``new``, by the columns both have (an older dispatch lacks newer ones)."""
    columns = [c for c in old.columns if c.name in new.columns]
    key = list(old.primary_key.columns) or columns[:1]
    result = await src.stream(select(*columns).order_by(*key).execution_options(yield_per=CHUNK))
    copied = 0
    async for part in result.partitions(CHUNK):
        await dst.execute(new.insert(), [_fit(dict(row._mapping), new) for row in part])
        copied += len(part)
    return copied


async def _copy_consumer_state(src: AsyncConnection, dst: AsyncConnection, name: str) -> int:
    has = await src.run_sync(lambda c: name in inspect(c).get_table_names())
    if not has:
        return 0
    old = await src.run_sync(lambda c: Table(name, MetaData(), autoload_with=c))
    rows = [_fit(dict(r._mapping), metadata.tables[name]) | {"consumer": NEW_CONSUMER}
            for r in await src.execute(select(old).where(old.c.consumer == OLD_CONSUMER))]
    if rows:
        await dst.execute(metadata.tables[name].insert(), rows)
    return len(rows)


def _fit(row: dict[str, Any], table: Table) -> dict[str, Any]:
    """A reflected row as partners' columns take it: SQLite hands back naive UTC times and JSON as text."""
    for name, value in row.items():
        if isinstance(value, datetime) and value.tzinfo is None:
            row[name] = value.replace(tzinfo=timezone.utc)
        elif isinstance(value, str) and isinstance(table.c[name].type, JSON):
            row[name] = json.loads(value)
    return row


async def _advance_serial(conn: AsyncConnection, table: str, column: str) -> None:
    top = await conn.scalar(select(func.max(metadata.tables[table].c[column])))
    if top:
        await conn.execute(text("SELECT setval(pg_get_serial_sequence(:t, :c), :v)"),
                           {"t": table, "c": column, "v": int(top)})
