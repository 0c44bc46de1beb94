"""Alembic, one history per service, applied at start."""
from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, pool, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from services.kit.db import normalize_url


def config(migrations_dir: Path, url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


def head(migrations_dir: Path) -> str | None:
    return ScriptDirectory.from_config(config(migrations_dir, "sqlite://")).get_current_head()


def upgrade(migrations_dir: Path, url: str) -> None:
    """Apply migrations to head; safe to call with or without a running event loop."""
    def _run() -> None:
        command.upgrade(config(migrations_dir, url), "head")

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        _run()
        return
    errors: list[BaseException] = []
    thread = threading.Thread(target=lambda: _capture(_run, errors))
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def _capture(fn: Any, errors: list[BaseException]) -> None:
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
        errors.append(exc)


async def current(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        try:
            return await conn.scalar(text("SELECT version_num FROM alembic_version"))
        except Exception:  # noqa: BLE001 - no table yet means no migration applied
            return None


def run_env(context: Any, metadata: MetaData) -> None:
    """Body of every service's migrations/env.py."""
    url = context.config.get_main_option("sqlalchemy.url")
    opts = {"target_metadata": metadata, "render_as_batch": url.startswith("sqlite"),
            "compare_type": True}
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **opts)
        with context.begin_transaction():
            context.run_migrations()
        return

    def _do(conn: Any) -> None:
        context.configure(connection=conn, **opts)
        with context.begin_transaction():
            context.run_migrations()

    async def _online() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as conn:
            await conn.run_sync(_do)
            await conn.commit()
        await engine.dispose()

    asyncio.run(_online())
