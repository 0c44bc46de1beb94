"""Count, from every service's API, what became of the units a run drove: lost, duplicated, where they stopped.

intake: one unit per serial, released; repair: one work order per unit, repaired; dispatch: one candidate per
unit, the owners' status at ``awaiting_dispatch`` and the journal holding each key event of the unit once.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.e2e.flow import CLERK, DESK, TECH
from tests.faults.calls import get_json
from tests.support.stack import Stack, token

ADMIN = token("admin")
KEY_EVENTS = tuple(f"com.bondline.{t}.v1" for t in (
    "intake.unit.announced", "intake.unit.declared", "intake.unit.received", "intake.unit.released_to_repair",
    "repair.work_order.opened", "repair.work_order.completed", "dispatch.unit.awaiting_dispatch"))


@dataclass
class Tally:
    driven: int = 0
    lost: dict[str, int] = field(default_factory=dict)        # where the lost units stopped -> how many
    duplicated: dict[str, int] = field(default_factory=dict)  # which effect was doubled -> how many units

    @property
    def lost_units(self) -> int:
        return sum(self.lost.values())

    @property
    def duplicated_units(self) -> int:
        return sum(self.duplicated.values())

    def summary(self) -> str:
        lost, dup = (f" {d}" if d else "" for d in (self.lost, self.duplicated))
        return f"driven {self.driven}, lost {self.lost_units}{lost}, duplicated {self.duplicated_units}{dup}"


def _pages(client: httpx.Client, url: str, headers: dict[str, str], params: dict[str, Any]) -> list[dict]:
    out: list[dict] = []
    while True:
        page = get_json(client, url, headers, params | {"limit": 500, "offset": len(out)})
        out += page
        if len(page) < 500:
            return out


def intake_units(client: httpx.Client, stack: Stack, owner: str) -> list[dict]:
    return _pages(client, stack.url("intake") + "/v1/units", CLERK, {"owner_id": owner})


def work_orders(client: httpx.Client, stack: Stack, owner: str) -> list[dict]:
    return _pages(client, stack.url("repair") + "/v1/work-orders", TECH, {"owner_id": owner})


def candidates(client: httpx.Client, stack: Stack, owner: str) -> list[dict]:
    found = _pages(client, stack.url("dispatch") + "/v1/candidates", DESK, {"owner_id": owner, "kind": "unit"})
    return [c["item"] for c in found]


def statuses(client: httpx.Client, stack: Stack, owner: str) -> dict[str, str]:
    """unit id -> ``stage/state`` from dispatch's owners' status API."""
    out: dict[str, str] = {}
    after: str | None = ""
    while after is not None:
        page = get_json(client, stack.url("partners") + "/v1/owner/units", ADMIN,
                        {"owner_id": owner, "limit": 500, "after": after})
        out |= {u["unit_id"]: f"{u['stage']}/{u['state']}" for u in page["units"]}
        after = page["next_after"]
    return out


def journal(client: httpx.Client, stack: Stack, owner: str) -> Counter[tuple[str, str]]:
    """(unit id, event type) -> how many journal entries, for the key events, from the owners' feed."""
    seen: Counter[tuple[str, str]] = Counter()
    cursor, more = None, True
    while more:
        params = {"owner_id": owner, "limit": 500, "type": list(KEY_EVENTS)} | ({"cursor": cursor} if cursor else {})
        page = get_json(client, stack.url("partners") + "/v1/owner/feed", ADMIN, params)
        seen.update((e.get("subject", ""), e["type"]) for e in page["events"])
        cursor, more = page["next_cursor"], page["has_more"]
    return seen


def finished(client: httpx.Client, stack: Stack, owner: str, unit_ids: list[str]) -> bool:
    """The cheap check polled while waiting: every unit a candidate and at ``dispatch/awaiting_dispatch``."""
    listed = {c["unit_id"] for c in candidates(client, stack, owner)}
    status = statuses(client, stack, owner)
    return all(u in listed and status.get(u) == "dispatch/awaiting_dispatch" for u in unit_ids)
