"""Migrated template databases for the tests: each service's migrations run once per test session and dialect,
and every fresh test database starts as a copy (the integration tests create hundreds of databases)."""
from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from services.kit import migrations
from tests.support import pg

T = TypeVar("T")
_lock = threading.Lock()
_made: dict[tuple[str, str], str] = {}  # (service, dialect) -> template file or database name
_dir = Path(tempfile.mkdtemp(prefix="bondline-templates-"))
atexit.register(shutil.rmtree, _dir, True)


def copy(service: str, migrations_dir: Path, url: str) -> bool:
    """Make the empty database at ``url`` a copy of the service's migrated template; False (nothing done) if the
    database is not empty or not a kind this knows."""
    if url.startswith("sqlite") and "///" in url:
        path = Path(url.split("///", 1)[1])
        if path.exists() and path.stat().st_size > 0:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_template(service, migrations_dir, "sqlite"), path)
        return True
    if url.startswith("postgresql") and url.rsplit("/", 1)[0] == pg.PG_ADMIN_URL.rsplit("/", 1)[0].replace(
            "postgresql://", "postgresql+asyncpg://", 1):
        name = url.rsplit("/", 1)[1]
        if _run(lambda: _has_tables(url)):
            return False
        template = _template(service, migrations_dir, "postgresql")
        _run(lambda: pg._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        _run(lambda: pg._admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        return True
    return False


def _template(service: str, migrations_dir: Path, dialect: str) -> str:
    with _lock:
        made = _made.get((service, dialect))
        if made is not None:
            return made
        if dialect == "sqlite":
            path = _dir / f"{service}.db"
            migrations.upgrade(migrations_dir, f"sqlite+aiosqlite:///{path}")
            made = str(path)
        else:
            prefix = f"bondline_template_{service}_{os.getpid()}_{uuid.uuid4().hex[:4]}"
            url = _run_sync(lambda: pg.create_database(prefix))
            migrations.upgrade(migrations_dir, url)
            atexit.register(pg.drop_database, url)
            made = url.rsplit("/", 1)[1]
        _made[(service, dialect)] = made
        return made


def _run(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to its end, from sync code or from inside a running event loop (then on a thread)."""
    return _run_sync(lambda: asyncio.run(make()))  # type: ignore[arg-type]


def _run_sync(fn: Callable[[], T]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn()
    out: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            out.append(fn())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(exc)
    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return out[0]


async def _has_tables(url: str) -> bool:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1), timeout=5)
    try:
        return bool(await conn.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"))
    finally:
        await conn.close()
