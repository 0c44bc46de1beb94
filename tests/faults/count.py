"""The full count at the end of a run (see tally): each unit's furthest point, and every doubled effect."""
from __future__ import annotations

from collections import Counter

import httpx

from tests.faults.tally import KEY_EVENTS, Tally, candidates, intake_units, journal, statuses, work_orders
from tests.support.stack import Stack


def count(client: httpx.Client, stack: Stack, owner: str, unit_ids: list[str]) -> Tally:
    units = intake_units(client, stack, owner)
    orders = work_orders(client, stack, owner)
    wos = Counter(w["unit_id"] for w in orders)
    repaired = {w["unit_id"] for w in orders if w["state"] == "repaired"}
    cands = Counter(c["unit_id"] for c in candidates(client, stack, owner))
    status = statuses(client, stack, owner)
    seen = journal(client, stack, owner)
    tally = Tally(driven=len(unit_ids))
    lost, dup = Counter[str](), Counter[str]()
    for u in unit_ids:
        stop = _stopped_at(u, wos, repaired, cands, status, seen)
        if stop:
            lost[stop] += 1
    dup["intake unit per serial"] = sum(1 for n in Counter(x["serial_number"] for x in units).values() if n > 1)
    dup["work order"] = sum(1 for u in unit_ids if wos[u] > 1)
    dup["candidate"] = sum(1 for u in unit_ids if cands[u] > 1)
    dup["journal entry"] = sum(1 for u in unit_ids if any(seen[(u, t)] > 1 for t in KEY_EVENTS))
    tally.lost, tally.duplicated = dict(+lost), dict(+dup)
    return tally


def _stopped_at(u: str, wos: Counter[str], repaired: set[str], cands: Counter[str], status: dict[str, str],
                seen: Counter[tuple[str, str]]) -> str | None:
    """Where a unit stopped short of the end, or None when every service shows it complete."""
    if not wos[u]:
        return "no work order"
    if u not in repaired:
        return "work order not repaired"
    if not cands[u]:
        return "no candidate"
    if status.get(u) != "dispatch/awaiting_dispatch":
        return f"status {status.get(u, 'missing')}"
    missing = [t.split(".")[-2] for t in KEY_EVENTS if not seen[(u, t)]]
    return f"journal lacks {missing[0]}" if missing else None
