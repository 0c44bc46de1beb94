"""What the services say about themselves after a run: readiness, lost events, dead letters, gap counters."""
from __future__ import annotations

import httpx

from tests.faults.tally import ADMIN
from tests.support.stack import NAMES, Stack


def _ready(client: httpx.Client, base: str) -> str:
    body = client.get(base + "/readyz").json()
    lost = body.get("lost_events")
    return body["status"] + (f", {len(lost)} lost-event ranges" if lost else "") + (
        f" ({'; '.join(body['reasons'])[:160]})" if body.get("reasons") else "")


def _dead_letters(client: httpx.Client, base: str) -> int:
    r = client.get(base + "/v1/dead-letters", headers=ADMIN, params={"limit": 500})
    return len(r.json()) if r.status_code == 200 else -1


def _gap_counters(client: httpx.Client, base: str) -> list[str]:
    """Non-zero samples of every metric whose name mentions gaps (the names may still change)."""
    out = []
    for line in client.get(base + "/metrics").text.splitlines():
        name, _, value = line.rpartition(" ")
        metric = name.split("{", 1)[0]
        if not line.startswith("#") and "gap" in metric and not metric.endswith("_created") and float(value or 0):
            out.append(f"{name}={value}")
    return out


def observe(stack: Stack) -> list[str]:
    notes = []
    with httpx.Client(timeout=10) as client:
        for name in NAMES:
            base = stack.url(name)
            try:
                parts = [_ready(client, base), f"{_dead_letters(client, base)} dead letters",
                         *_gap_counters(client, base)]
            except (httpx.HTTPError, ValueError) as exc:
                parts = [f"no answer: {exc!r}"]
            notes.append(f"{name}: " + ", ".join(parts))
    return notes
