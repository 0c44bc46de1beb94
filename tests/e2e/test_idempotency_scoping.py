"""Idempotency-Key against the services as processes (SQLite and PostgreSQL): a remembered answer belongs to
the caller who got it. Without a token the key replays nothing (401); another clerk with the same key and body
gets a run of its own."""
from __future__ import annotations

import httpx
import pytest

from services.kit.auth import issue_token
from services.kit.settings import DEV_JWT_SECRET
from tests.support.stack import Stack, token

pytestmark = pytest.mark.e2e

BODY = {"part_number": "ESC-O-RING", "lot": "L2026-12", "quantity": 12, "unit_value": "12.50", "currency": "USD",
        "hs_code": "8486909000", "origin": "foreign",
        "documents": {"bonded_inventory_list": "QD224426I000000901", "gate_pass": "HF224426000000901"}}
KEY = {"Idempotency-Key": "parts-2026-12-02-001"}


@pytest.mark.parametrize("stack", ["postgresql"], indirect=True)  # SQLite: the integration tier; one stack here
def test_a_key_replays_only_for_the_caller_who_used_it(stack: Stack) -> None:
    url = stack.url("intake") + "/v1/parts-receipts"
    other_clerk = {"Authorization": f"Bearer {issue_token(DEV_JWT_SECRET, 'other-clerk', 'intake_clerk')}"}
    with httpx.Client(timeout=15) as c:
        first = c.post(url, json=BODY, headers=KEY | token("intake_clerk"))
        assert first.status_code == 201, first.text
        anonymous = c.post(url, json=BODY, headers=KEY)
        assert anonymous.status_code == 401 and "idempotent-replayed" not in anonymous.headers
        assert "id" not in anonymous.json() and "missing bearer token" in anonymous.json()["detail"]
        theirs = c.post(url, json=BODY, headers=KEY | other_clerk)
        assert theirs.status_code == 201 and "idempotent-replayed" not in theirs.headers, theirs.text
        assert theirs.json()["id"] != first.json()["id"]
        for headers, answer in ((token("intake_clerk"), first), (other_clerk, theirs)):
            again = c.post(url, json=BODY, headers=KEY | headers)
            assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
            assert again.json()["id"] == answer.json()["id"]
