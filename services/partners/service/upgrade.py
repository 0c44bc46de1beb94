"""After partners' migrations: take over the journal and webhooks from a dispatch that held them (once)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from services.kit.db import make_engine, normalize_url
from services.partners.db.legacy_import import import_from_dispatch


def dispatch_database(d: Any) -> str | None:
    """Where dispatch's old data is: PARTNERS_IMPORT_FROM_URL, DISPATCH_DATABASE_URL, else its SQLite file if any."""
    url = d.settings.import_from_url or os.environ.get("DISPATCH_DATABASE_URL")
    if url:
        return normalize_url(url)
    default = Path(d.common.bondline_var_dir).resolve() / "dispatch.db"
    return f"sqlite+aiosqlite:///{default}" if default.exists() else None


async def take_over_from_dispatch(d: Any) -> None:
    url = dispatch_database(d)
    if url is None or url == d.database_url:
        return
    source, target = make_engine(url, 2), make_engine(d.database_url, 2)
    try:
        await import_from_dispatch(source, target)
    finally:
        await source.dispose()
        await target.dispose()
