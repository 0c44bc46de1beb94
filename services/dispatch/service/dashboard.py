"""The dispatch desk's dashboard: the projection that keeps the read models current, and the figures it shows.

Every change to an item goes through ``move``: it takes what the item counted for before (its contributions to
the counters and day series), applies the change, and adds the difference, so the pre-aggregated figures always
equal what a full scan of ``dash_items`` would give (tests/integration/test_dashboard_projection.py checks that).
Stages and states are the shared vocabulary's (shared/contract/stages.py); the per-state counters are keyed by
(state, stage), so a figure over states names the stage it counts in.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any

from services.dispatch.db.dashboard import DashboardRepository, DashItemRow
from services.dispatch.service.ledger import Total  # the ledger's running totals, read through its use case
from shared.contract import stages
from shared.contract.stages import DispatchState, IntakeState, LeftState, Stage

OPEN_STAGES = tuple(str(s) for s in stages.OPEN_STAGES)  # plain names: the figures are JSON
RANK: dict[str, int] = {Stage.intake: 0, Stage.repair: 1, Stage.dispatch: 2, Stage.left: 3}
# Units due to ship (待发运设备): at dispatch and bound to leave the zone, from awaiting their destination to cleared
# by customs. Not ``exchange_pool``: a spare kept bonded ships only once allocated (then ``allocated``, counted).
# Never an intake state: a unit whose entry is ``declared`` has not even been received.
DUE_TO_SHIP = (DispatchState.awaiting_dispatch, DispatchState.allocated, DispatchState.destination_decided,
               DispatchState.exit_declared, DispatchState.customs_cleared)
SHIPPED = (LeftState.shipped, LeftState.delivered)
AGING = ((0, 7, "0-7"), (8, 30, "8-30"), (31, 90, "31-90"), (91, None, "90+"))


@dataclass
class Change:
    """What an event says about one item; None leaves a field as it is."""
    item_id: str
    at: datetime
    owner_id: str | None = None
    kind: str = "unit"
    unit_id: str | None = None
    stage: str | None = None
    state: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    reopen: bool = False
    """The event takes the item back from an earlier stage on purpose (a cancelled disposal's exit): the rule that
    a late event never moves an item back does not apply."""

    def __post_init__(self) -> None:  # the vocabulary's members, stored as the plain names they are
        self.stage = str(self.stage) if self.stage is not None else None
        self.state = str(self.state) if self.state is not None else None


def contributions(r: DashItemRow) -> tuple[Counter, Counter]:
    """The counter keys and day-series keys one item adds 1 to."""
    counters: Counter = Counter()
    days: Counter = Counter()
    if r.kind == "unit":
        counters[("state", r.state, r.stage)] += 1
        if r.stage in OPEN_STAGES:
            counters[("stage", r.stage, "")] += 1
            counters[("owner", r.owner_id, r.stage)] += 1
            days[(f"wip:{r.stage}", r.stage_since.date())] += 1
    if r.due_kind and r.due_at is not None:
        days[(f"due:{r.due_kind}", r.due_at.date())] += 1
    return counters, days


async def move(repo: DashboardRepository, c: Change) -> DashItemRow:
    row = await repo.item(c.item_id)
    before: tuple[Counter, Counter] = (Counter(), Counter())
    if row is None:
        row = DashItemRow(item_id=c.item_id, kind=c.kind, unit_id=c.unit_id or c.item_id, owner_id=c.owner_id or "",
                          stage=c.stage or Stage.intake, state=c.state or IntakeState.announced,
                          stage_since=c.at, updated_at=c.at)
        repo.add(row)
    else:
        before = contributions(row)
    if c.stage and RANK[c.stage] < RANK[row.stage] and not c.reopen:
        c.stage = c.state = None  # a late event from an earlier stage (topics are not ordered between them)
    if c.stage and c.stage != row.stage:
        row.stage, row.stage_since = c.stage, c.at
    row.state = c.state or row.state
    row.owner_id = c.owner_id or row.owner_id
    for name, value in c.values.items():
        setattr(row, name, value)
    if row.stage == Stage.left:
        row.due_kind, row.due_at = None, None
    row.updated_at = max(row.updated_at, c.at)
    after = contributions(row)
    for (metric, k1, k2), n in _diff(before[0], after[0]).items():
        await repo.bump(metric, k1, k2, by=n)
    for (series, day), n in _diff(before[1], after[1]).items():
        await repo.bump_day(series, day, by=n)
    return row


def _diff(before: Counter, after: Counter) -> dict:
    keys = set(before) | set(after)
    return {k: after[k] - before[k] for k in keys if after[k] != before[k]}


# --- the figures -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    today: date
    """today in the desk's zone: deadlines are calendar days there"""
    ledger_cycle_days: int
    ledger_warning_days: int
    disposal_warning_days: int
    zone: tzinfo = timezone.utc


def percentile(hist: list[tuple[int, int]], q: float) -> int | None:
    total = sum(n for _, n in hist)
    if not total:
        return None
    rank, seen = q * total, 0
    for bucket, n in hist:
        seen += n
        if seen >= rank:
            return bucket
    return hist[-1][0]


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _aging(days: dict[tuple[str, date], int], today: date) -> dict[str, dict[str, int]]:
    out = {s: {label: 0 for _, _, label in AGING} for s in OPEN_STAGES}
    for (series, day), n in days.items():
        if series.startswith("wip:"):
            age = max(0, (today - day).days)
            label = next(lb for _, hi, lb in AGING if hi is None or age <= hi)
            out[series[4:]][label] += n
    return out


def _deadlines(days: dict[tuple[str, date], int], p: Policy) -> dict[str, dict[str, int]]:
    bond_end = p.today - timedelta(days=p.ledger_cycle_days)        # received before: the cycle is over
    bond_risk = bond_end + timedelta(days=p.ledger_warning_days)
    disposal_risk = p.today + timedelta(days=p.disposal_warning_days)
    out: dict[str, Counter] = {"bond": Counter(), "disposal": Counter()}
    for (series, day), n in days.items():
        if series == "due:bond":
            out["bond"]["breached" if day < bond_end else "at_risk" if day <= bond_risk else "ok"] += n
        elif series == "due:disposal":
            out["disposal"]["breached" if day < p.today else "at_risk" if day <= disposal_risk else "ok"] += n
    return {k: {s: v[s] for s in ("ok", "at_risk", "breached")} for k, v in out.items()}


def _ledger(totals: Iterable[Total]) -> dict[str, dict[str, int]]:
    """Per category, from the ledger's running totals (every line it recorded, bonded or not)."""
    out: dict[str, dict[str, int]] = {}
    for t in totals:
        out.setdefault(t.category, Counter())[t.movement] += t.quantity
    inward, outward = ("received", "transferred_in"), ("transferred_out", "consumed", "exported", "released",
                                                       "destroyed")
    return {c: {"received": m["received"] + m["transferred_in"], "exported": m["exported"], "released": m["released"],
                "destroyed": m["destroyed"], "other_out": m["transferred_out"] + m["consumed"],
                "on_hand": sum(m[k] for k in inward) - sum(m[k] for k in outward)} for c, m in sorted(out.items())}


async def figures(repo: DashboardRepository, p: Policy, ledger_totals: Iterable[Total],
                  top_owners: int = 12) -> dict[str, Any]:
    """The dashboard from the desk's read models; ``ledger_totals`` are the ledger's (its ``totals`` use case)."""
    counters = {(m, a, b): n for m, a, b, n in await repo.counters()}
    days = {(s, d): n for s, d, n in await repo.days()}
    by = lambda metric: {a: n for (m, a, _), n in counters.items() if m == metric}  # noqa: E731
    owners: dict[str, dict[str, int]] = {}
    for (m, owner, stage), n in counters.items():
        if m == "owner":
            owners.setdefault(owner, {s: 0 for s in OPEN_STAGES})[stage] = n
    ranked = sorted(owners.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))[:top_owners]
    tests, outcomes = by("first_test"), by("outcome")
    states = {(a, b): n for (m, a, b), n in counters.items() if m == "state"}
    hist = await repo.histogram("turnaround_h")
    return {
        "backlog_by_stage": {s: by("stage").get(s, 0) for s in OPEN_STAGES},
        "backlog_by_owner": dict(ranked),
        "owners_total": len(owners),
        "aging": _aging(days, p.today),
        "turnaround_hours": {"median": percentile(hist, 0.5), "p90": percentile(hist, 0.9),
                             "count": sum(n for _, n in hist)},
        "first_pass_yield": _rate(tests.get("passed", 0), sum(tests.values())),
        "first_tests": sum(tests.values()),
        "beyond_repair_rate": _rate(outcomes.get("beyond_repair", 0), sum(outcomes.values())),
        "completed": sum(outcomes.values()),
        "due_to_ship": sum(states.get((s, Stage.dispatch), 0) for s in DUE_TO_SHIP),
        "shipped": sum(states.get((s, Stage.left), 0) for s in SHIPPED),
        "destinations": {k: by("destination").get(k, 0) for k in ("domestic", "overseas", "bonded")},
        "origins": {k: by("origin").get(k, 0) for k in ("domestic", "foreign")},
        "ledger": _ledger(ledger_totals),
        "deadlines": _deadlines(days, p),
    }
