"""The dashboard's arithmetic: percentiles from a histogram, aging buckets, deadline status, the language choice."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from starlette.requests import Request

from services.dispatch.db.dashboard import DashItemRow
from services.dispatch.service.dashboard import Policy, _aging, _deadlines, percentile
from services.dispatch.web import i18n, rows

TODAY = date(2026, 11, 24)
P = Policy(TODAY, ledger_cycle_days=730, ledger_warning_days=60, disposal_warning_days=14)


def test_percentiles_come_from_the_histogram_by_nearest_rank():
    hist = [(10, 5), (20, 4), (100, 1)]
    assert (percentile(hist, 0.5), percentile(hist, 0.9), percentile(hist, 1.0)) == (10, 20, 100)
    assert percentile([], 0.5) is None


def test_aging_buckets_by_days_in_stage():
    days = {("wip:repair", TODAY): 2, ("wip:repair", TODAY - timedelta(days=8)): 3,
            ("wip:repair", TODAY - timedelta(days=91)): 1, ("due:bond", TODAY): 7}
    assert _aging(days, TODAY)["repair"] == {"0-7": 2, "8-30": 3, "31-90": 0, "90+": 1}
    assert sum(_aging(days, TODAY)["intake"].values()) == 0


def test_deadlines_agree_between_the_counters_and_each_row():
    cases = [("bond", TODAY - timedelta(days=731), "breached"), ("bond", TODAY - timedelta(days=730), "at_risk"),
             ("bond", TODAY - timedelta(days=669), "ok"), ("bond", TODAY - timedelta(days=670), "at_risk"),
             ("disposal", TODAY - timedelta(days=1), "breached"),
             ("disposal", TODAY + timedelta(days=14), "at_risk"), ("disposal", TODAY + timedelta(days=15), "ok")]
    days = {(f"due:{kind}", day): 1 for kind, day, _ in cases}
    counted = _deadlines(days, P)
    assert counted == {"bond": {"ok": 1, "at_risk": 2, "breached": 1},
                       "disposal": {"ok": 1, "at_risk": 1, "breached": 1}}
    for kind, day, want in cases:
        at = datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc)
        row = DashItemRow(item_id="x", kind="unit", unit_id="x", owner_id="o", stage="dispatch", state="s",
                          stage_since=at, due_kind=kind, due_at=at)
        assert rows.deadline(row, P)[1] == want, (kind, day)


def request(headers: dict[str, str]) -> Request:
    return Request({"type": "http", "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]})


def test_language_from_the_cookie_then_the_browser_then_english():
    assert i18n.pick(request({"Accept-Language": "fr-FR,zh-CN;q=0.8,en;q=0.5"})) == "zh"
    assert i18n.pick(request({"Accept-Language": "en-US,zh;q=0.9"})) == "en"
    assert i18n.pick(request({"Accept-Language": "zh-CN", "Cookie": "desk_lang=en"})) == "en"
    assert i18n.pick(request({"Accept-Language": "de, fr;q=bad"})) == "en"
    assert i18n.Translator("zh")("mark", state="已发运") == "标记为已发运"
