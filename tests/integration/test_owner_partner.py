"""Owners' status API, event feed and webhooks on SQLite and PostgreSQL, fed through partners' real handlers.

Scoping is the point: owner A never receives, reads or pages into owner B's units.
"""
from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone

import httpx
import pytest
from standardwebhooks import Webhook

from services.partners.adapters.webhook_sender import HttpSender, TargetRefused, resolve_allowed
from services.partners.bootstrap import build_app
from services.partners.messaging.handlers import HANDLERS
from services.partners.service.webhook_delivery import Policy, run_once
from shared.contract.events.common import Money
from shared.contract.events.dispatch import (
    ItemAllocated,
    ItemDisposed,
    ItemShipped,
    ShipmentFacts,
    UnitAwaitingDispatch,
)
from shared.contract.events.intake import UnitReceived
from shared.contract.events.repair import (
    OldPartDisposed,
    QuoteDecided,
    QuoteIssued,
    WorkOrderCompleted,
    WorkOrderOpened,
)
from shared.contract.registry import REGISTRY
from tests.support.receiver import Receiver, serve
from tests.support.runtime import runtime
from tests.support.stack import token

A, B = token("partner", "fab-a"), token("partner", "fab-b")
ADMIN = token("admin")
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
SHIPPED = "com.bondline.dispatch.item.shipped.v1"


@pytest.fixture
async def api(db_url, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PARTNERS_WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")  # the receiver is on 127.0.0.1
    rt = runtime("partners", db_url, monkeypatch)
    app = build_app(rt, run_relay=False, run_consumer=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://partners") as client:
        client.rt = rt  # type: ignore[attr-defined]
        yield client
    await rt.dispose()


async def feed(client, *payloads) -> None:  # type: ignore[no-untyped-def]
    for payload in payloads:
        service = REGISTRY.type_of(type(payload)).split(".")[2]  # com.bondline.<service>.…
        ce = REGISTRY.to_event(payload, f"/bondline/{service}")
        async with client.rt.uow() as uow:
            await HANDLERS[ce.type](uow, payload, ce)
            await uow.commit()


def received(unit_id: str, owner: str) -> UnitReceived:
    return UnitReceived(unit_id=unit_id, owner_id=owner, serial_number=f"SN-{unit_id}", part_number="RF-GEN-13",
                        hs_code="8486909000", origin="foreign", origin_country="KR",
                        declared_value=Money(amount="42000.00", currency="USD"), custody_location="awaiting repair",
                        received_at=T0, catalogue_version=1)


def journey(unit_id: str, owner: str) -> list:  # type: ignore[type-arg]
    wo, fee = f"wo-{unit_id}", Money(amount="1800.00", currency="CNY")
    return [received(unit_id, owner),
            WorkOrderOpened(unit_id=unit_id, work_order_id=wo, owner_id=owner, opened_at=T0),
            QuoteIssued(unit_id=unit_id, work_order_id=wo, owner_id=owner, repair_fee=fee, parts_estimate=fee,
                        approval_required=True, issued_at=T0)]


def shipped(unit_id: str, owner: str) -> ItemShipped:
    return ItemShipped(unit_id=unit_id, item_id=unit_id, item_kind="unit", owner_id=owner, at=T0,
                       shipment=ShipmentFacts(shipment_id="s1", carrier="SF", tracking_number="T1",
                                              destination_country="DE", incoterm="DAP"))


async def pages(client, headers, limit: int, **params) -> list[dict]:  # type: ignore[no-untyped-def]
    """Walk the feed to its end, page by page, with the cursors it hands out."""
    events, cursor = [], None
    while True:
        q = {"limit": limit, **params} | ({"cursor": cursor} if cursor else {})
        r = await client.get("/v1/owner/feed", params=q, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        events += body["events"]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return events


async def test_feed_pages_through_only_the_owners_events_in_order_and_resumes(api):
    await feed(api, *journey("a1", "fab-a"), *journey("b1", "fab-b"), *journey("a2", "fab-a"))
    a_events = await pages(api, A, limit=2)
    assert [e["subject"] for e in a_events] == ["a1"] * 3 + ["a2"] * 3
    assert all(e["data"]["owner_id"] == "fab-a" for e in a_events)
    assert [e["type"].split(".")[-2] for e in a_events[:3]] == ["received", "opened", "quote_issued"]
    last = (await api.get("/v1/owner/feed", params={"limit": 500}, headers=A)).json()["next_cursor"]
    await feed(api, shipped("b1", "fab-b"), shipped("a1", "fab-a"))
    later = (await api.get("/v1/owner/feed", params={"cursor": last}, headers=A)).json()
    assert [(e["subject"], e["type"]) for e in later["events"]] == [("a1", SHIPPED)] and not later["has_more"]
    only = (await api.get("/v1/owner/feed", params={"type": SHIPPED}, headers=B)).json()["events"]
    assert [e["subject"] for e in only] == ["b1"]


async def test_feed_refuses_other_owners_and_bad_cursors(api):
    await feed(api, *journey("b1", "fab-b"))
    r = await api.get("/v1/owner/feed", params={"owner_id": "fab-b"}, headers=A)
    assert r.status_code == 403 and "fab-a" in r.json()["detail"]
    assert (await api.get("/v1/owner/feed", headers=A)).json()["events"] == []
    r = await api.get("/v1/owner/feed", params={"cursor": "not-a-cursor"}, headers=A)
    assert r.status_code == 400 and "cursor" in r.json()["detail"]
    assert (await api.get("/v1/owner/feed", headers=ADMIN)).status_code == 422
    assert len((await api.get("/v1/owner/feed", params={"owner_id": "fab-b"}, headers=ADMIN)).json()["events"]) == 3
    assert (await api.get("/v1/owner/feed", headers=token("dispatcher"))).status_code == 403
    assert (await api.get("/v1/owner/feed")).status_code == 401


async def test_owner_sees_its_units_states_and_timelines_and_nothing_of_others(api):
    await feed(api, *journey("a1", "fab-a"), *journey("b1", "fab-b"))
    await feed(api, WorkOrderCompleted(unit_id="a1", work_order_id="wo-a1", owner_id="fab-a", outcome="repaired",
                                       repair_fee=Money(amount="1800.00", currency="CNY"), completed_at=T0),
               UnitAwaitingDispatch(unit_id="a1", owner_id="fab-a", outcome="repaired", since=T0))
    units = (await api.get("/v1/owner/units", headers=A)).json()["units"]
    assert [(u["unit_id"], u["stage"], u["state"]) for u in units] == [("a1", "dispatch", "awaiting_dispatch")]
    one = (await api.get("/v1/owner/units/a1", headers=A)).json()
    sources = [e["type"].split(".")[2] for e in one["timeline"]]
    assert sources == ["intake", "repair", "repair", "repair", "dispatch"] and one["serial_number"] == "SN-a1"
    assert (await api.get("/v1/owner/units/b1", headers=A)).status_code == 404
    assert (await api.get("/v1/owner/units", params={"after": "a1"}, headers=A)).json()["units"] == []
    b_units = (await api.get("/v1/owner/units", params={"owner_id": "fab-b"}, headers=ADMIN)).json()["units"]
    assert [(u["unit_id"], u["state"], u["quote_pending"]) for u in b_units] == [("b1", "queued", True)]


async def test_pending_quotes_point_to_repairs_decision_endpoint(api):
    await feed(api, *journey("a1", "fab-a"), *journey("a2", "fab-a"), *journey("b1", "fab-b"))
    await feed(api, QuoteDecided(unit_id="a2", work_order_id="wo-a2", owner_id="fab-a", decision="approved",
                                 decided_at=T0))
    [q] = (await api.get("/v1/owner/quotes", headers=A)).json()
    assert q["work_order_id"] == "wo-a1" and q["quote"]["repair_fee"]["amount"] == "1800.00"
    assert q["decide"]["url"] == "http://127.0.0.1:8002/v1/work-orders/wo-a1/quote/decision"


async def test_an_allocated_exchange_unit_leaves_the_old_owners_view(api):
    await feed(api, *journey("x1", "fab-a"))
    await feed(api, ItemAllocated(unit_id="x1", item_id="x1", item_kind="unit", owner_id="fab-b",
                                  previous_owner_id="fab-a", allocated_at=T0))
    assert (await api.get("/v1/owner/units/x1", headers=A)).status_code == 404
    a_feed = await pages(api, A, limit=100)
    assert len(a_feed) == 3 and all(e["data"]["owner_id"] == "fab-a" for e in a_feed)
    b_unit = (await api.get("/v1/owner/units/x1", headers=B)).json()
    assert b_unit["state"] == "allocated" and [e["type"].split(".")[-2] for e in b_unit["timeline"]] == ["allocated"]
    # the unit's old part stays fab-a's: its disposal (dispatch names the owner, repair does not) goes to fab-a
    await feed(api, ItemDisposed(unit_id="x1", item_id="op1", item_kind="old_part", owner_id="fab-a",
                                 route="destruction", documents={}, disposed_at=T0),
               OldPartDisposed(unit_id="x1", old_part_id="op1", part_number="O-RING", quantity=1, origin="foreign",
                               route="destruction_0200", document_no="D1", late=False, disposed_at=T0))
    assert [e["type"].split(".")[-2] for e in await pages(api, A, limit=100)][-2:] == ["disposed", "disposed"]
    b_after = (await api.get("/v1/owner/units/x1", headers=B)).json()
    assert b_after["state"] == "allocated" and len(b_after["timeline"]) == 1


async def deliver_all(api, rounds: int = 100) -> None:  # type: ignore[no-untyped-def]
    """Run the delivery loop until nothing is due or pending (retries here are tens of milliseconds apart)."""
    sender, policy = HttpSender(5, allow_private=True), Policy(schedule=[0.05, 0.05, 0.05])
    for _ in range(rounds):
        await run_once(api.rt.uow, sender, policy)
        pending = (await api.get("/v1/webhooks/deliveries", params={"status": "pending"}, headers=ADMIN)).json()
        if not pending["deliveries"]:
            return
        await asyncio.sleep(0.03)
    raise AssertionError("webhook deliveries still pending")


@pytest.fixture
async def receivers():  # type: ignore[no-untyped-def]
    made = []

    async def make(script: list[int] | None = None, then: int = 200) -> Receiver:
        r = Receiver(script=list(script or []), then=then)
        made.append(await serve(r))
        return r
    yield make
    for server, task in made:
        server.should_exit = True
        await task


async def register(api, headers, url: str, types: list[str] | None = None) -> dict:  # type: ignore[no-untyped-def]
    r = await api.post("/v1/webhooks/endpoints", json={"url": url, "event_types": types or []}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def test_deliveries_are_signed_retried_until_delivered_and_scoped(api, receivers):
    got_a, got_b = await receivers(script=[500, 503]), await receivers()
    ep_a, ep_b = await register(api, A, got_a.url), await register(api, B, got_b.url)
    assert ep_a["secrets"][0]["secret"].startswith("whsec_") and ep_a["owner_id"] == "fab-a"
    await feed(api, received("a1", "fab-a"), received("b1", "fab-b"))
    await deliver_all(api)
    assert len(got_a.got) == 3  # two failures, then the delivery
    verifier = Webhook(ep_a["secrets"][0]["secret"])
    bodies = [verifier.verify(g.body, g.headers) for g in got_a.got]
    assert {b["subject"] for b in bodies} == {"a1"} and bodies[0]["data"]["owner_id"] == "fab-a"
    assert len({g.headers["webhook-id"] for g in got_a.got}) == 1  # the same message id on every retry
    assert [Webhook(ep_b["secrets"][0]["secret"]).verify(g.body, g.headers)["subject"] for g in got_b.got] == ["b1"]
    [d] = (await api.get("/v1/webhooks/deliveries", headers=A)).json()["deliveries"]
    log = (await api.get(f"/v1/webhooks/deliveries/{d['id']}", headers=A)).json()
    assert log["status"] == "delivered" and [h["status_code"] for h in log["history"]] == [500, 503, 200]
    assert (await api.get(f"/v1/webhooks/deliveries/{d['id']}", headers=B)).status_code == 404
    assert (await api.get(f"/v1/webhooks/endpoints/{ep_a['id']}", headers=B)).status_code == 404
    assert [e["id"] for e in (await api.get("/v1/webhooks/endpoints", headers=B)).json()] == [ep_b["id"]]


async def test_event_type_filters_choose_what_is_sent(api, receivers):
    got = await receivers()
    await register(api, A, got.url, ["com.bondline.dispatch.*"])
    r = await api.post("/v1/webhooks/endpoints", json={"url": got.url, "event_types": ["com.bondline.nope.v1"]},
                       headers=A)
    assert r.status_code == 422 and "com.bondline.nope.v1" in r.json()["detail"]
    await feed(api, received("a1", "fab-a"), shipped("a1", "fab-a"))
    await deliver_all(api)
    assert [json.loads(g.body)["type"] for g in got.got] == [SHIPPED]


async def test_exhausted_retries_fail_and_a_manual_replay_delivers(api, receivers):
    got = await receivers(script=[500, 500, 500, 500])
    ep = await register(api, A, got.url)
    await feed(api, received("a1", "fab-a"))
    await deliver_all(api)
    [d] = (await api.get("/v1/webhooks/deliveries", params={"status": "failed"}, headers=A)).json()["deliveries"]
    assert d["attempts"] == 4 and d["last_status_code"] == 500  # the first try and three retries
    r = await api.post(f"/v1/webhooks/deliveries/{d['id']}/replay", headers=A)
    assert r.status_code == 200 and r.json()["status"] == "delivered"
    assert r.json()["history"][-1]["manual"] is True and len(got.got) == 5
    assert (await api.post(f"/v1/webhooks/deliveries/{d['id']}/replay", headers=B)).status_code == 404
    Webhook(ep["secrets"][0]["secret"]).verify(got.got[-1].body, got.got[-1].headers)


async def test_410_gone_disables_the_endpoint_and_stops_its_deliveries(api, receivers):
    got = await receivers(script=[410])
    ep = await register(api, A, got.url)
    await feed(api, received("a1", "fab-a"), received("a2", "fab-a"))
    await deliver_all(api)
    assert len(got.got) == 1
    e = (await api.get(f"/v1/webhooks/endpoints/{ep['id']}", headers=A)).json()
    assert e["enabled"] is False and "410" in e["disabled_reason"]
    statuses = sorted(d["status"] for d in (await api.get("/v1/webhooks/deliveries", headers=A)).json()["deliveries"])
    assert statuses == ["cancelled", "failed"]
    await feed(api, received("a3", "fab-a"))
    assert len((await api.get("/v1/webhooks/deliveries", headers=A)).json()["deliveries"]) == 2  # none queued
    r = await api.patch(f"/v1/webhooks/endpoints/{ep['id']}", json={"enabled": True}, headers=A)
    assert r.json()["enabled"] is True


async def test_rotation_signs_with_both_secrets_during_the_grace(api, receivers):
    got = await receivers()
    ep = await register(api, A, got.url)
    old = ep["secrets"][0]["secret"]
    rotated = (await api.post(f"/v1/webhooks/endpoints/{ep['id']}/secret/rotate", json={"grace_hours": 1},
                              headers=A)).json()["secrets"]
    new = rotated[0]["secret"]
    assert new != old and rotated[1]["secret"] == old and rotated[1]["expires_at"] is not None
    await feed(api, received("a1", "fab-a"))
    await deliver_all(api)
    [g] = got.got
    assert len(g.headers["webhook-signature"].split(" ")) == 2
    assert Webhook(old).verify(g.body, g.headers)["subject"] == Webhook(new).verify(g.body, g.headers)["subject"]
    now_only = (await api.post(f"/v1/webhooks/endpoints/{ep['id']}/secret/rotate", json={"grace_hours": 0},
                               headers=A)).json()["secrets"]
    assert len(now_only) == 1 and now_only[0]["secret"] not in (old, new)


async def test_private_targets_are_refused_unless_allowed(api, monkeypatch):
    api.rt.d.settings.webhook_allow_private_targets = False
    for url in ("http://127.0.0.1:9/hooks", "http://localhost/hooks", "http://169.254.169.254/latest",
                "http://10.1.2.3/h", "http://[::1]/h"):
        r = await api.post("/v1/webhooks/endpoints", json={"url": url}, headers=A)
        assert r.status_code == 422 and "refused" in r.json()["detail"], url
    r = await api.post("/v1/webhooks/endpoints", json={"url": "ftp://example.com/x"}, headers=A)
    assert r.status_code == 422 and "http or https" in r.json()["detail"]
    with pytest.raises(TargetRefused) as refusal:
        await resolve_allowed("localhost", 8003)
    assert "loopback" in str(refusal.value)
    status, error, _ = await HttpSender(5, allow_private=False).send("http://127.0.0.1:9/h", {}, b"{}")
    assert status is None and "loopback" in (error or "")


async def test_admin_manages_any_owner_and_partners_only_their_own(api, receivers):
    got = await receivers()
    r = await api.post("/v1/webhooks/endpoints", json={"url": got.url, "owner_id": "fab-b"}, headers=A)
    assert r.status_code == 403
    ep = (await api.post("/v1/webhooks/endpoints", json={"url": got.url, "owner_id": "fab-b"}, headers=ADMIN)).json()
    assert ep["owner_id"] == "fab-b"
    assert (await api.delete(f"/v1/webhooks/endpoints/{ep['id']}", headers=A)).status_code == 404
    assert (await api.get(f"/v1/webhooks/endpoints/{ep['id']}/secret", headers=A)).status_code == 404
    assert (await api.delete(f"/v1/webhooks/endpoints/{ep['id']}", headers=B)).status_code == 204
    assert (await api.get("/v1/webhooks/endpoints", headers=ADMIN)).json() == []


async def test_journal_writers_take_turns_so_the_feed_never_skips_a_late_commit(api):
    """A second writer waits for the first to commit, so seq order is commit order and a reader paging by seq
    never passes a row that commits later with a smaller seq."""
    async def second() -> None:
        await feed(api, received("a2", "fab-a"))

    async with api.rt.uow() as first:
        payload = received("a1", "fab-a")
        ce = REGISTRY.to_event(payload, "/bondline/intake")
        await HANDLERS[ce.type](first, payload, ce)
        other = asyncio.create_task(second())
        await asyncio.sleep(0.5)
        assert not other.done()  # blocked behind the first writer's transaction
        await first.commit()
    await other
    assert [e["subject"] for e in await pages(api, A, limit=1)] == ["a1", "a2"]


async def test_a_quiet_owners_endpoint_is_caught_up_without_deliveries(api, receivers):
    got = await receivers()
    ep = await register(api, A, got.url)
    await feed(api, received("b1", "fab-b"), received("b2", "fab-b"))
    await deliver_all(api)
    async with api.rt.uow() as uow:
        caught_up = (await uow.webhooks.endpoint(ep["id"])).cursor_seq == await uow.journal.last_seq()
    assert caught_up and got.got == []  # nothing of B's, and A's cursor moved past B's events
    await feed(api, received("a1", "fab-a"))
    await deliver_all(api)
    assert [json.loads(g.body)["subject"] for g in got.got] == ["a1"]


async def test_an_owners_registration_is_not_in_its_feed(api):
    """The feed and webhooks are about the owner's units: intake's owner.registered (no unit) is journaled for no
    one."""
    from shared.contract.events.intake import OwnerRegistered
    await feed(api, OwnerRegistered(owner_id="fab-a", name="Fab A", kind="overseas", country="SG",
                                    registered_at=T0), *journey("a9", "fab-a"))
    events = (await api.get("/v1/owner/feed", headers=A)).json()["events"]
    assert events and all(e.get("subject") for e in events)
    assert "com.bondline.intake.owner.registered.v1" not in {e["type"] for e in events}


async def test_an_event_already_journaled_is_skipped_without_a_second_status_move(api):
    """After an upgrade partners' new group reads events dispatch journaled already: one row, one status move."""
    from services.partners.service import journal
    payload = received("a8", "fab-a")
    ce = REGISTRY.to_event(payload, "/bondline/intake")
    for expected_new in (True, False):
        async with api.rt.uow() as uow:
            assert await journal.record(uow, payload, ce) is expected_new
            await uow.commit()
    events = (await api.get("/v1/owner/feed", headers=A)).json()["events"]
    assert [e["id"] for e in events].count(ce.id) == 1
