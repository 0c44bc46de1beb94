"""The faults: each strikes mid-load and returns when it is over."""
from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass

from tests.faults import poison
from tests.faults.harness import Inject
from tests.support import pg
from tests.support.stack import Broker, Stack


@dataclass(frozen=True)
class Target:
    broker: Broker
    stack: Stack
    db: str  # sqlite | postgresql


@dataclass(frozen=True)
class Fault:
    name: str
    what: str
    make: Callable[[Target], Inject]
    postgresql_only: bool = False


def _freeze(t: Target) -> Inject:
    def inject() -> None:
        t.broker.signal(signal.SIGSTOP)
        time.sleep(20)
        t.broker.signal(signal.SIGCONT)
    return inject


def _broker_restart(t: Target) -> Inject:
    return lambda: t.broker.restart_empty(down_s=7)


def _kill(name: str) -> Callable[[Target], Inject]:
    def make(t: Target) -> Inject:
        def inject() -> None:
            t.stack.kill(name)
            time.sleep(2)
            t.stack.restart(name, timeout=90, ready=False)
        return inject
    return make


async def _terminate(databases: list[str]) -> int:
    import asyncpg

    conn = await asyncpg.connect(pg.PG_ADMIN_URL, timeout=5)
    try:
        rows = await conn.fetch("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = ANY($1::text[]) AND pid <> pg_backend_pid()", databases)
        return len(rows)
    finally:
        await conn.close()


def _cut_db(t: Target) -> Inject:
    def inject() -> list[str]:
        names = [url.rsplit("/", 1)[1] for url in t.stack.database_urls.values()]
        cut = []
        for _ in range(3):
            cut.append(asyncio.run(_terminate(names)))
            time.sleep(3)
        return [f"connections terminated: {cut}"]
    return inject


def _poison(t: Target) -> Inject:
    def inject() -> list[str]:
        refused = poison.inject(t.broker.bootstrap)
        return [f"poison refused by the broker: {refused}"] if refused else []
    return inject


FAULTS = (
    Fault("none", "no fault: the baseline (checks the loader and the counting)", lambda t: lambda: None),
    Fault("broker-freeze", "broker frozen 20 s (SIGSTOP, SIGCONT)", _freeze),
    Fault("broker-restart", "broker SIGKILLed, a new empty one 7 s later (no topics created)", _broker_restart),
    Fault("kill-intake", "intake SIGKILLed and restarted 2 s later", _kill("intake")),
    Fault("kill-repair", "repair SIGKILLed (every process) and restarted 2 s later", _kill("repair")),
    Fault("kill-dispatch", "dispatch SIGKILLed and restarted 2 s later", _kill("dispatch")),
    Fault("db-cut", "every service's PostgreSQL connections terminated 3 times, 3 s apart", _cut_db,
          postgresql_only=True),
    Fault("poison", "6 hostile records onto bondline.intake.events, every partition", _poison),
)
BY_NAME = {f.name: f for f in FAULTS}
