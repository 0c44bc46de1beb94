"""Issue 12: the broker loses its data mid-load (SIGKILL, then a new empty one on the same port 7 s later).

With no operator action and no service restart, every unit must still complete, once: a work order opened once
in repair, one candidate in dispatch, its owners' status at awaiting_dispatch and each key event in partners'
journal once. Nothing creates topics after the restart: the services must recreate them themselves, as they
would after losing a real cluster (an operator step here would hide exactly the failure under test).
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import _need_pg
from tests.faults import harness
from tests.support import pg
from tests.support.stack import NAMES, Broker, Stack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
UNITS, RATE = 250, 10.0  # 25 s of load: the broker dies after about 8 s and is back about 7 s later


# PostgreSQL, with repair split in three processes: the broker's loss is the same to either database, and
# SQLite's side of it is the fault harness's (`make faults`) and test_faults.py's
@pytest.fixture(params=["postgresql"])
def lossy_stack(request: pytest.FixtureRequest, broker: Broker, tmp_path: Path) -> Iterator[Stack]:
    """The e2e stack (repair split in three processes on PostgreSQL) with gap checks every 2 s, 5 s grace."""
    urls: dict[str, str] = {}
    if request.param == "postgresql":
        _need_pg()
        urls = {name: pg.create_database(f"bondline_e2e_{name}") for name in NAMES}
    s = Stack(tmp_path, broker.bootstrap, urls, dict(harness.FAST_GAP_CHECKS), split={"repair"} if urls else set())
    try:
        yield s.start()
    finally:
        s.stop()
        for url in urls.values():
            pg.drop_database(url)


def test_broker_restarted_empty_mid_load_loses_and_duplicates_nothing(broker: Broker, lossy_stack: Stack) -> None:
    outcome = harness.run(lossy_stack, lambda: broker.restart_empty(down_s=7), UNITS, timeout=240, tag="LOSS",
                          rate=RATE)
    t = outcome.tally
    print(outcome.summary())
    assert not outcome.loader_errors, outcome.summary()
    assert t.driven == UNITS, outcome.summary()
    assert t.lost_units == 0 and t.duplicated_units == 0, outcome.summary()
    assert outcome.recover_s is not None, outcome.summary()
