"""Alembic, one history per service, applied at start."""
from __future__ import annotations

import asyncio
import contextlib
import fcntl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from services.kit.db import UtcDateTime, normalize_url


def config(migrations_dir: Path, url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


def head(migrations_dir: Path) -> str | None:
    return ScriptDirectory.from_config(config(migrations_dir, "sqlite://")).get_current_head()


def behind(migrations_dir: Path, at: str | None) -> bool:
    """Whether a database at revision ``at`` still needs this code's migrations. A revision this code does not know
    is a later release's (its migrations Job ran first in a rolling upgrade, expand before contract): the old code
    keeps serving on it rather than dropping out of its Service before the new pods are ready."""
    scripts = ScriptDirectory.from_config(config(migrations_dir, "sqlite://"))
    if at is None:
        return True
    if at == scripts.get_current_head():
        return False
    known = {s.revision for s in scripts.walk_revisions()}
    return at in known


_IN_PROCESS = threading.Lock()


def upgrade(migrations_dir: Path, url: str) -> None:
    """Apply migrations to head; safe to call with or without a running event loop."""
    def _run() -> None:
        with _IN_PROCESS:  # alembic's context proxy is process-global: one upgrade at a time
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
            "compare_type": True, "render_item": _render_item}
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
            if conn.dialect.name == "postgresql":  # several processes may start at once: one migrates
                await conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
            await conn.run_sync(_do)
            await conn.commit()
        await engine.dispose()

    with _file_lock(url):
        asyncio.run(_online())


def _render_item(kind: str, obj: Any, _ctx: Any) -> str | bool:
    """Autogenerate writes our UTC type as the plain column type it stores."""
    if kind == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


MIGRATION_LOCK = 0x6B6F6E64  # any constant: the lock is per database


@contextlib.contextmanager
def _file_lock(url: str) -> Iterator[None]:
    """SQLite: serialise migrations of one database file across processes."""
    database = make_url(url).database if url.startswith("sqlite") else None
    if not database or database == ":memory:":
        yield
        return
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    with open(f"{database}.migrate.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
