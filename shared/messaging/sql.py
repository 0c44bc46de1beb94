"""The one dialect switch for INSERT ... ON CONFLICT (PostgreSQL and SQLite both have it), and rowcount."""
from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def upsert(session: AsyncSession, table: Table) -> Any:
    """An ``INSERT`` on ``table`` that takes ``.on_conflict_do_nothing/_do_update`` on this session's database."""
    dialect = session.bind.dialect.name if session.bind is not None else ""
    try:
        return _INSERTS[dialect](table)
    except KeyError:
        raise NotImplementedError(f"no INSERT ... ON CONFLICT for the {dialect!r} database") from None


def supports_upsert(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name in _INSERTS


def rowcount(result: Result[Any]) -> int:
    """The rows an INSERT, UPDATE or DELETE touched. ``AsyncSession.execute`` is typed to return a plain
    ``Result``; for a DML statement it is a ``CursorResult``, which is the one that counts rows."""
    return cast(CursorResult[Any], result).rowcount
