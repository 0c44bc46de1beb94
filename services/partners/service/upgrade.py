"""After partners' migrations: take over the journal and webhooks from a dispatch that held them (once)."""
from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from services.kit.db import make_engine, normalize_url
from services.partners.db.legacy_import import import_from_dispatch

log = logging.getLogger("bondline.partners.import")
ATTEMPTS, PAUSE_S = 12, 5.0  # dispatch may be migrating its SQLite file at the same moment: wait for it, a minute


def dispatch_database(d: Any) -> str | None:
    """Where dispatch's old data is: PARTNERS_IMPORT_FROM_URL, DISPATCH_DATABASE_URL, else its SQLite file if any."""
    url = d.settings.import_from_url or os.environ.get("DISPATCH_DATABASE_URL")
    if url:
        return normalize_url(url)
    default = Path(d.common.bondline_var_dir).resolve() / "dispatch.db"
    return f"sqlite+aiosqlite:///{default}" if default.exists() else None


def _reader(url: str) -> AsyncEngine:
    """The source is only read: on SQLite, plain deferred transactions (a reader never takes the write lock that
    the services' own engines take up front), so dispatch migrating or writing its file does not block it."""
    if url.startswith("sqlite"):
        return create_async_engine(url, connect_args={"timeout": 30})
    return make_engine(url, 2)


async def take_over_from_dispatch(d: Any) -> None:
    url = dispatch_database(d)
    if url is None or url == d.database_url:
        return
    source, target = _reader(url), make_engine(d.database_url, 2)
    try:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                await import_from_dispatch(source, target)
                return
            except OperationalError as exc:  # e.g. SQLite "database is locked" while dispatch migrates
                if attempt == ATTEMPTS or "locked" not in str(exc):
                    raise
                log.warning("dispatch's database is busy (%s); taking over its data again in %.0f s", exc, PAUSE_S)
                await asyncio.sleep(PAUSE_S)
    finally:
        await source.dispose()
        await target.dispose()
