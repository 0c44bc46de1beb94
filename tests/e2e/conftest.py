"""End-to-end fixtures: the real broker (Tansu) and the four services as separate processes."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.messaging.embedded_broker import EmbeddedBrokerUnavailable, tansu_binary
from tests.conftest import IN_CI, _need_pg
from tests.support import pg
from tests.support.stack import Broker, Stack, free_port

pytestmark = pytest.mark.e2e


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    try:
        tansu_binary()
    except EmbeddedBrokerUnavailable as exc:
        if IN_CI:
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    b = Broker(free_port(), tmp_path / "broker.log").start()
    yield b
    b.stop()


def _databases(kind: str) -> dict[str, str]:
    if kind == "sqlite":
        return {}
    _need_pg()
    return {name: pg.create_database(f"bondline_e2e_{name}") for name in ("intake", "repair", "dispatch", "partners")}


@pytest.fixture(params=["sqlite", "postgresql"])
def stack(request: pytest.FixtureRequest, broker: Broker, tmp_path: Path) -> Iterator[Stack]:
    urls = _databases(request.param)
    # on PostgreSQL, repair runs as three processes (api, relay, consumer) to prove the split works
    s = Stack(tmp_path, broker.bootstrap, urls, split={"repair"} if urls else set())
    try:
        yield s.start()
    finally:
        s.stop()
        for url in urls.values():
            pg.drop_database(url)
