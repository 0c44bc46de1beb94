"""The dashboard's read models on SQLite and PostgreSQL: fed by the desk's projection (its own consumer), they give
the seeded figures, with the ledger's from the ledger's running totals; the pre-aggregated counters always equal a
full count of the items."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from services.dispatch.db.dashboard import DashboardRepository, DashItemRow
from services.dispatch.service import dashboard, desk
from tests.browser.seed import EXPECTED, NOW, Loop, intake, repair, scenario
from tests.support.runtime import runtime


def policy() -> dashboard.Policy:
    return dashboard.Policy(NOW.date(), 730, 60, 14)


async def figures(rt) -> dict:  # type: ignore[no-untyped-def]
    return await desk.figures(rt.uow(), policy())


async def test_seeded_units_give_the_expected_figures(db_url, monkeypatch):
    rt = runtime("dispatch", db_url, monkeypatch)
    loop = Loop(rt)
    await scenario(rt, loop)
    got = await figures(rt)
    for key, want in EXPECTED.items():
        assert got[key] == want, key
    assert got["aging"]["repair"] == {"0-7": 0, "8-30": 1, "31-90": 1, "90+": 0}
    assert got["ledger"]["repaired_units"]["exported"] == 2
    assert got["ledger"]["parts"] == {"received": 20, "exported": 0, "released": 0, "destroyed": 0, "other_out": 6,
                                      "on_hand": 14}  # 6 O-rings built into the 6 repaired units
    await rt.dispose()


async def test_counters_equal_a_full_count_and_events_count_once(db_url, monkeypatch):
    rt = runtime("dispatch", db_url, monkeypatch)
    loop = Loop(rt)
    await scenario(rt, loop)
    intake(loop, "u-late-intake", "fab-9", 2)
    repair(loop, "u-late-intake", "fab-9", 1, first_pass=True, outcome="repaired")
    intake(loop, "u-late-intake", "fab-9", 2)  # the same facts again, later: counted once, never moves it back
    await loop.settle()
    async with rt.sessions() as s:
        rows = list(await s.scalars(select(DashItemRow)))
        counters = {(m, a, b): n for m, a, b, n in await DashboardRepository(s).counters()}
    units = [r for r in rows if r.kind == "unit"]
    open_units = [r for r in units if r.stage != "left"]
    assert {k[1]: n for k, n in counters.items() if k[0] == "stage"} == Counter(r.stage for r in open_units)
    assert {k[1:]: n for k, n in counters.items() if k[0] == "owner"} == Counter((r.owner_id, r.stage)
                                                                               for r in open_units)
    assert {k[1]: n for k, n in counters.items() if k[0] == "state"} == Counter(r.state for r in units)
    late = next(r for r in rows if r.item_id == "u-late-intake")
    assert (late.stage, late.state) == ("dispatch", "awaiting_dispatch")
    assert counters[("origin", "foreign", "")] == EXPECTED["origins"]["foreign"] + 1
    await rt.dispose()
