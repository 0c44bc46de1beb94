"""Owners end to end: two owners' units through the three services as processes on the real broker.

Owner A never receives, reads or pages into owner B's units: not through intake's or repair's API, not through
partners' owner API or feed, and not through webhooks, which arrive signed (checked with standardwebhooks) after
the receiver's first failures were retried.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook

from tests.e2e.flow import complete, eventually, receive_and_release, work_order_for
from tests.support.receiver import ThreadedReceiver
from tests.support.stack import Broker, Stack, token

A, B = "owner-fab-a", "owner-fab-b"
PA, PB = token("partner", A), token("partner", B)
AWAITING = "com.bondline.dispatch.unit.awaiting_dispatch.v1"


@pytest.fixture
def stack(broker: Broker, tmp_path: Path) -> Iterator[Stack]:
    s = Stack(tmp_path, broker.bootstrap, extra_env={
        "PARTNERS_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true", "PARTNERS_WEBHOOK_RETRY_SCHEDULE_S": "[0.2, 0.5, 1]",
        "PARTNERS_WEBHOOK_POLL_INTERVAL_S": "0.2"})
    try:
        yield s.start()
    finally:
        s.stop()


def pages(client: httpx.Client, url: str, headers: dict[str, str], key: str, cursor: str,
          **params: Any) -> list[dict[str, Any]]:
    out, position = [], None
    while True:
        r = client.get(url, params={"limit": 2, **params} | ({cursor: position} if position else {}), headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        out += body[key]
        position = body.get("next_cursor") if cursor == "cursor" else body.get("next_after")
        if not (body.get("has_more") if cursor == "cursor" else position):
            return out


def test_owner_a_never_sees_owner_bs_units(stack: Stack):
    partners, intake, repair = stack.url("partners"), stack.url("intake"), stack.url("repair")
    with ThreadedReceiver(script=[500, 500]) as hook_a, ThreadedReceiver() as hook_b, httpx.Client(timeout=15) as c:
        ep_a = c.post(partners + "/v1/webhooks/endpoints", json={"url": hook_a.url}, headers=PA).json()
        ep_b = c.post(partners + "/v1/webhooks/endpoints", json={"url": hook_b.url}, headers=PB).json()
        mine = [receive_and_release(c, stack, f"A-{i}", A) for i in range(3)]
        theirs = [receive_and_release(c, stack, f"B-{i}", B) for i in range(2)]
        for unit_id in mine[:1] + theirs[:1]:
            wo = eventually(lambda unit_id=unit_id: work_order_for(c, stack, unit_id), 30, f"work order for {unit_id}")
            complete(c, stack, wo["id"])
        bodies = lambda hook, secret: [Webhook(secret).verify(g.body, g.headers) for g in hook.got]  # noqa: E731
        eventually(lambda: any(b["type"] == AWAITING for b in bodies(hook_a, ep_a["secrets"][0]["secret"])), 60,
                   "owner A's webhook for its unit awaiting dispatch")
        eventually(lambda: any(b["type"] == AWAITING for b in bodies(hook_b, ep_b["secrets"][0]["secret"])), 60,
                   "owner B's webhook")
        got_a = bodies(hook_a, ep_a["secrets"][0]["secret"])
        assert {b["subject"] for b in got_a} == set(mine) and all(b["data"]["owner_id"] == A for b in got_a)
        assert {b["subject"] for b in bodies(hook_b, ep_b["secrets"][0]["secret"])} == set(theirs)
        pending = lambda: c.get(partners + "/v1/webhooks/deliveries", params={"status": "pending"},  # noqa: E731
                                headers=PA).json()["deliveries"]
        eventually(lambda: pending() == [], 30, "owner A's deliveries all sent")
        retried = c.get(partners + "/v1/webhooks/deliveries", params={"status": "delivered", "limit": 500},
                        headers=PA).json()["deliveries"]
        assert sum(d["attempts"] for d in retried) == len(retried) + 2  # the receiver's two failures were retried
        metrics = c.get(partners + "/metrics").text
        assert 'bondline_webhook_attempts_total{outcome="retry"} 2.0' in metrics, metrics

        feed = pages(c, partners + "/v1/owner/feed", PA, "events", "cursor")
        assert {e["subject"] for e in feed} == set(mine)
        eventually(lambda: {g.headers["webhook-id"] for g in hook_a.got} == {e["id"] for e in feed}, 30,
                   "a webhook for every event in owner A's feed, and nothing else")
        assert {e["source"].split("/")[-1] for e in feed} == {"intake", "repair", "dispatch"}
        units = pages(c, partners + "/v1/owner/units", PA, "units", "after")
        assert sorted(u["unit_id"] for u in units) == sorted(mine)
        assert c.get(partners + f"/v1/owner/units/{theirs[0]}", headers=PA).status_code == 404
        assert c.get(partners + "/v1/owner/feed", params={"owner_id": B}, headers=PA).status_code == 403

        listed = c.get(intake + "/v1/units", params={"owner_id": B, "limit": 500}, headers=PA).json()
        assert {u["id"] for u in listed} == set(mine)
        assert c.get(intake + f"/v1/units/{theirs[0]}", headers=PA).status_code == 403
        orders = c.get(repair + "/v1/work-orders", params={"owner_id": B, "limit": 500}, headers=PA).json()
        assert {w["unit_id"] for w in orders} == set(mine)
        their_wo = eventually(lambda: work_order_for(c, stack, theirs[1]), 30, "B's second work order")
        base, tech = repair + f"/v1/work-orders/{their_wo['id']}", token("technician")
        for path, body in (("/diagnosis/start", None),
                           ("/diagnosis", {"failure_codes": ["RF-OUTPUT"], "findings": "x"}),
                           ("/quote", {"repair_fee": "900.00", "parts_estimate": "0.00", "currency": "USD"})):
            assert c.post(base + path, json=body, headers=tech).status_code in (200, 201)
        assert c.get(base, headers=PA).status_code == 403
        r = c.post(base + "/quote/decision", json={"approve": True}, headers=PA)
        assert r.status_code == 403 and c.get(base, headers=PB).json()["state"] == "quote_pending", r.text
        quotes = lambda who: c.get(partners + "/v1/owner/quotes", headers=who).json()  # noqa: E731
        eventually(lambda: [q["work_order_id"] for q in quotes(PB)] == [their_wo["id"]], 30, "B's pending quote")
        assert quotes(PA) == []
