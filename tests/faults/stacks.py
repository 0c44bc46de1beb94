"""A fresh broker, fresh databases and the three services for one fault, torn down afterwards."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.faults.faults import Target
from tests.support import pg
from tests.support.stack import NAMES, Broker, Stack, free_port


def databases(db: str) -> dict[str, str]:
    return {} if db == "sqlite" else {n: pg.create_database(f"bondline_faults_{n}") for n in NAMES}


@contextmanager
def fresh(db: str, workdir: Path, extra_env: dict[str, str]) -> Iterator[Target]:
    """Like the e2e fixtures: on PostgreSQL repair runs split into api, relay and consumer processes."""
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    broker = Broker(free_port(), workdir / "broker.log").start()
    urls: dict[str, str] = {}
    stack = None
    try:
        urls = databases(db)
        stack = Stack(workdir, broker.bootstrap, urls, dict(extra_env), split={"repair"} if urls else set())
        yield Target(broker, stack.start(timeout=120), db)
    finally:
        if stack is not None:
            stack.stop()
        broker.stop()
        for url in urls.values():
            pg.drop_database(url)
