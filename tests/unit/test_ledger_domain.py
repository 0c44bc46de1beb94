"""Ledger rules in plain Python: what a line may be, what dispatch may record, flags, inconsistencies."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.dispatch.domain.ledger import (
    Category,
    ItemKind,
    Line,
    Movement,
    check_decided,
    exit_movement,
    fifo,
    part_lot_id,
    positions,
)
from services.dispatch.domain.ledger_checks import FlagPolicy, Status, flags, inconsistencies, status
from services.kit.errors import RuleViolation

C, K, M = Category, ItemKind, Movement
NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
DOC = {"bonded_inventory_list": "QD224426E000000001"}
DAY = timedelta(days=1)


def ln(item: str, kind: str, cat: str, mv: str, qty: int = 1, days_ago: int = 0, **kw: object) -> Line:
    """A line from plain strings (the Line converts and checks them)."""
    docs = kw.pop("documents", DOC)
    return Line(item, kind, cat, mv, qty, NOW - timedelta(days=days_ago), docs, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("kw, message", [
    ({"item_kind": "unit", "category": "parts"}, "never in category parts"),
    ({"quantity": 2}, "quantity 2 is not valid for a unit"),
    ({"quantity": 0, "item_kind": "part_lot", "category": "parts"}, "quantity 0"),
    ({"movement": "stolen"}, "unknown movement 'stolen'"),
    ({"item_kind": "widget"}, "unknown item_kind"),
    ({"at": datetime(2026, 1, 1)}, "timezone-aware"),
    ({"item_id": ""}, "needs an item id"),
])
def test_a_line_is_refused_when_it_cannot_be(kw: dict, message: str) -> None:
    base = {"item_id": "u1", "item_kind": "unit", "category": "units_awaiting_repair", "movement": "received",
            "quantity": 1, "at": NOW}
    with pytest.raises(RuleViolation, match=message):
        Line(**(base | kw))


def test_dispatch_cannot_exit_more_than_is_on_hand_and_is_told_where_the_item_is() -> None:
    exit_ = ln("u1", "unit", "units_awaiting_repair", "exported")
    with pytest.raises(RuleViolation, match=r"0 on hand there \(on hand: repaired_units=1\)") as err:
        check_decided(exit_, {C.repaired_units: 1})
    assert err.value.details["on_hand"] == {"repaired_units": 1}
    check_decided(ln("u1", "unit", "repaired_units", "exported"), {C.repaired_units: 1})
    with pytest.raises(RuleViolation, match="3 x P@L1 from parts: 2 on hand"):
        check_decided(ln("P@L1", "part_lot", "parts", "released", 3), {C.parts: 2})


def test_dispatch_movements_need_a_document_and_transfers_come_in_pairs() -> None:
    with pytest.raises(RuleViolation, match="needs a customs document number"):
        check_decided(ln("u1", "unit", "repaired_units", "exported", documents={"gate_pass": ""}),
                      {C.repaired_units: 1})
    with pytest.raises(RuleViolation, match="in pairs"):
        check_decided(ln("u1", "unit", "repaired_units", "transferred_out"), {C.repaired_units: 1})


@pytest.mark.parametrize("destination, abroad, movement", [
    ("re_export", True, M.exported), ("return_to_owner", True, M.exported), ("return_to_owner", False, M.released),
    ("domestic_release", False, M.released), ("gate_registration", False, M.released),
    ("destruction", False, M.destroyed), ("exchange_pool", False, None)])
def test_exit_movement_of_each_destination(destination: str, abroad: bool, movement: Movement | None) -> None:
    assert exit_movement(destination, abroad) is movement


def test_part_lot_ids_keep_duty_paid_lots_apart() -> None:
    assert part_lot_id("OR", "L1") == "OR@L1" != part_lot_id("OR", "L1", bonded=False) == "OR@L1#duty-paid"
    assert part_lot_id("OR", None) == "OR@?"


def test_fifo_takes_oldest_lots_first_and_names_what_no_lot_covers() -> None:
    assert fifo(5, [("a", 2), ("b", 10)], "?") == [("a", 2), ("b", 3)]
    assert fifo(5, [("a", 2), ("b", 0)], "?") == [("a", 2), ("?", 3)]
    assert fifo(0, [("a", 2)], "?") == []


def test_status_boundaries() -> None:
    due = NOW + timedelta(days=10)
    assert status(NOW, due, 9) is Status.ok
    assert status(NOW, due, 10) is Status.at_risk
    assert status(due, due, 10) is Status.breached


def test_flags_for_the_ledger_cycle_and_disposal_deadlines() -> None:
    policy = FlagPolicy(cycle_days=730, warning_days=60, disposal_warning_days=14)
    lines = [ln("old", "unit", "units_awaiting_repair", "received", days_ago=700),      # 30 days left: at risk
             ln("older", "unit", "units_awaiting_repair", "received", days_ago=731),    # breached
             ln("young", "unit", "units_awaiting_repair", "received", days_ago=10),     # ok
             ln("gone", "unit", "units_awaiting_repair", "received", days_ago=729),     # left: not flagged
             ln("gone", "unit", "units_awaiting_repair", "exported", days_ago=1),
             ln("op1", "old_part", "old_parts", "received", days_ago=5, deadline=NOW + 3 * DAY, parent_id="young"),
             ln("op2", "old_part", "old_parts", "received", days_ago=5, deadline=NOW - DAY, parent_id="young"),
             ln("op3", "scrap", "scrap", "received", days_ago=5, deadline=NOW + timedelta(days=30), parent_id="young")]
    found = {(f.reason, f.item_id): (f.status, f.days_left) for f in flags(positions(lines), NOW, policy)}
    assert found == {("ledger_cycle", "old"): (Status.at_risk, 30), ("ledger_cycle", "older"): (Status.breached, -1),
                     ("disposal_deadline", "op1"): (Status.at_risk, 3),
                     ("disposal_deadline", "op2"): (Status.breached, -1)}
    everything = flags(positions(lines), NOW, policy, include_ok=True)
    assert {(f.reason, f.item_id) for f in everything if f.status is Status.ok} >= {
        ("ledger_cycle", "young"), ("disposal_deadline", "op3")}


def test_flags_follow_a_unit_through_its_categories_from_its_first_receipt() -> None:
    lines = [ln("u", "unit", "units_awaiting_repair", "received", days_ago=720),
             ln("u", "unit", "units_awaiting_repair", "transferred_out", days_ago=5),
             ln("u", "unit", "repaired_units", "transferred_in", days_ago=5)]
    [flag] = flags(positions(lines), NOW, FlagPolicy())
    assert (flag.category, flag.since, flag.days_left) == (C.repaired_units, NOW - timedelta(days=720), 10)


def test_inconsistencies_name_each_problem() -> None:
    lines = [ln("ghost", "unit", "repaired_units", "exported"),
             ln("P@L9", "part_lot", "parts", "consumed", 2),
             ln("orphan", "old_part", "old_parts", "received", parent_id="never-received"),
             ln("u1", "unit", "units_awaiting_repair", "received", days_ago=3),
             ln("twice", "unit", "units_awaiting_repair", "received", days_ago=3, source="a"),
             ln("twice", "unit", "units_awaiting_repair", "received", days_ago=2, source="b"),
             ln("op", "old_part", "old_parts", "received", days_ago=3, parent_id="u1", origin="foreign",
                deadline=NOW - timedelta(days=2)),
             ln("op", "old_part", "old_parts", "released", days_ago=1)]
    found = {(i.code, i.item_id) for i in inconsistencies(positions(lines), [], [])}
    assert found == {("exit_without_entry", "ghost"), ("consumed_part_never_received", "P@L9"),
                     ("old_part_without_parent", "orphan"), ("unit_custody", "twice"),
                     ("foreign_old_part_released", "op"), ("disposal_deadline_missed", "op")}


def test_duty_paid_lines_are_listed_but_not_balanced() -> None:
    lines = [ln("P@L1#duty-paid", "part_lot", "parts", "received", 5, bonded=False),
             ln("P@L1#duty-paid", "part_lot", "parts", "consumed", 7, bonded=False)]
    assert positions(lines) == [] and inconsistencies(positions(lines), [], []) == []
