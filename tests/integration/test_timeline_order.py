"""A unit's timeline is told in the order its events happened, not the order they were consumed (issue 14, 4.1).

Events of the three services arrive on three topics, so repair's ``work_order.opened`` can be journaled before
intake's ``unit.announced``. The owner API (partners) and the desk's unit page (dispatch's desk projection) order by
``ce_time``, then the producer and its per-unit ``ce_sequence`` where times tie; on SQLite and PostgreSQL.
"""
from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from services.dispatch import bootstrap as dispatch
from services.kit.auth import issue_token
from services.kit.settings import DEV_JWT_SECRET
from services.partners import bootstrap as partners
from shared.contract.events.common import Money
from shared.contract.events.dispatch import UnitAwaitingDispatch
from shared.contract.events.intake import UnitAnnounced, UnitReceived
from shared.contract.events.repair import QuoteIssued, WorkOrderOpened
from shared.contract.registry import REGISTRY
from tests.support.runtime import deliver, runtime
from tests.support.stack import token

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
OWNER, UNIT, WO = "fab-a", "u-late", "wo-late"
FEE = Money(amount="1800.00", currency="CNY")
FACTS = dict(unit_id=UNIT, owner_id=OWNER, serial_number="SN-1", part_number="RF-GEN-13", hs_code="8486909000",
             origin="foreign", origin_country="KR", declared_value=Money(amount="42000.00", currency="USD"))

# (payload, ce_time, ce_sequence) in the order dispatch consumes them
CONSUMED = [
    (WorkOrderOpened(unit_id=UNIT, work_order_id=WO, owner_id=OWNER, opened_at=T0 + timedelta(hours=2)),
     T0 + timedelta(hours=2), 1),
    # intake's two events carry the same ce_time: their sequences decide, whatever the consumed order
    (UnitReceived(**FACTS, custody_location="awaiting repair", received_at=T0 + timedelta(hours=1),
                  catalogue_version=1), T0 + timedelta(hours=1), 2),
    (UnitAnnounced(**FACTS, request_id="rr-1", catalogue_version=1, announced_at=T0 + timedelta(hours=1)),
     T0 + timedelta(hours=1), 1),
    (UnitAwaitingDispatch(unit_id=UNIT, owner_id=OWNER, outcome="repaired", since=T0 + timedelta(hours=4)),
     T0 + timedelta(hours=4), 1),
    (QuoteIssued(unit_id=UNIT, work_order_id=WO, owner_id=OWNER, repair_fee=FEE, parts_estimate=FEE,
                 approval_required=False, issued_at=T0 + timedelta(hours=3)), T0 + timedelta(hours=3), 2),
]
HAPPENED = ["unit.announced", "unit.received", "work_order.opened", "work_order.quote_issued",
            "unit.awaiting_dispatch"]


def short(event_type: str) -> str:
    """com.bondline.intake.unit.announced.v1 -> unit.announced"""
    return ".".join(event_type.split(".")[3:-1])


async def _client(service: str, bootstrap, db_url, monkeypatch):  # type: ignore[no-untyped-def]
    rt = runtime(service, db_url, monkeypatch)
    for payload, at, sequence in CONSUMED:
        producer = REGISTRY.type_of(type(payload)).split(".")[2]  # com.bondline.<service>.…
        ce = dataclasses.replace(REGISTRY.to_event(payload, f"/bondline/{producer}"), time=at, sequence=sequence)
        await deliver(rt, payload, ce)
    app = bootstrap.build_app(rt, run_relay=False, run_consumer=False)
    return rt, httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{service}")


@pytest.fixture
async def api(db_url, monkeypatch):  # type: ignore[no-untyped-def]
    rt, client = await _client("partners", partners, db_url, monkeypatch)
    async with client:
        yield client
    await rt.dispose()


@pytest.fixture
async def desk(db_url, monkeypatch):  # type: ignore[no-untyped-def]
    rt, client = await _client("dispatch", dispatch, db_url, monkeypatch)
    async with client:
        yield client
    await rt.dispose()


async def test_owner_unit_timeline_is_in_happened_order(api):
    for headers, params in ((token("partner", OWNER), {}), (token("admin"), {"owner_id": OWNER})):
        r = await api.get(f"/v1/owner/units/{UNIT}", params=params, headers=headers)
        assert r.status_code == 200, r.text
        timeline = r.json()["timeline"]
        assert [short(e["type"]) for e in timeline] == HAPPENED
        assert [e["time"] for e in timeline] == sorted(e["time"] for e in timeline)
        assert [int(e["sequence"]) for e in timeline] == [1, 2, 1, 2, 1]  # ce_sequence kept, as the producer sent it


async def test_owner_feed_keeps_journal_order_so_its_cursor_resumes(api):
    """The feed is paged by journal position: it stays in consumed order (a late event with an earlier ce_time
    must not land behind a cursor already handed out); each item says when it happened and its sequence."""
    events = (await api.get("/v1/owner/feed", headers=token("partner", OWNER))).json()["events"]
    assert [short(e["type"]) for e in events] == [short(REGISTRY.type_of(type(p))) for p, _, _ in CONSUMED]
    assert [(e["time"], int(e["sequence"])) for e in events] == [(at.isoformat(), n) for _, at, n in CONSUMED]


async def test_desk_unit_timeline_is_in_happened_order(desk):
    api = desk
    form = await api.get("/desk/login")
    login_csrf = re.search(r'name="login_csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    r = await api.post("/desk/login", data={"token": issue_token(DEV_JWT_SECRET, "ann", "customs_officer"),
                                            "next": "/desk/units", "login_csrf": login_csrf})
    assert r.status_code == 303, r.text
    for path in (f"/desk/units/{UNIT}", f"/desk/units/{UNIT}/timeline"):
        r = await api.get(path)
        assert r.status_code == 200, r.text
        table = r.text.split('id="timeline"', 1)[1].split("</table>", 1)[0]
        rows = re.findall(r'<tr data-event="([^"]+)"><td><time datetime="([^"]+)">', table)  # labels translated
        rows = [(at, event) for event, at in rows]
        assert [event for _, event in rows] == HAPPENED
        assert [at for at, _ in rows] == sorted(at for at, _ in rows)
