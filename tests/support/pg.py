"""Throw-away PostgreSQL databases on the server at 127.0.0.1:5432 (trust auth)."""
from __future__ import annotations

import asyncio
import os
import uuid

PG_ADMIN_URL = os.environ.get("BONDLINE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def available() -> str | None:
    """None if the server answers, else the reason."""
    try:
        asyncio.run(_admin("SELECT 1"))
        return None
    except Exception as exc:  # noqa: BLE001 - the reason is reported by the caller
        return f"PostgreSQL at {PG_ADMIN_URL} unavailable: {exc!r}"


def create_database(prefix: str = "bondline_test") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}".replace("postgresql://", "postgresql+asyncpg://", 1)


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
