"""The unit status projection: stage and state across the three services' events, in the order they happened."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from services.partners.domain.unit_status import apply

T = datetime(2026, 11, 1, tzinfo=timezone.utc)
IN, R, D = "com.bondline.intake.", "com.bondline.repair.", "com.bondline.dispatch."


def fold(*events):  # type: ignore[no-untyped-def]
    status = None
    for event_type, data in events:
        status = apply(status, event_type, {"unit_id": "u1", "owner_id": "fab-a"} | data, "fab-a", T)
    return status


def test_a_unit_moves_through_the_stages():
    s = fold((IN + "unit.announced.v1", {"serial_number": "SN1", "part_number": "P1", "origin": "foreign"}),
             (IN + "unit.received.v1", {}), (IN + "unit.released_to_repair.v1", {}),
             (R + "work_order.opened.v1", {"work_order_id": "wo1"}))
    assert (s.stage, s.state, s.work_order_id, s.serial_number) == ("repair", "queued", "wo1", "SN1")
    s = apply(s, R + "work_order.quote_issued.v1", {"unit_id": "u1", "approval_required": True}, "fab-a", T)
    assert s.quote_pending and s.state == "queued"
    s = apply(s, R + "work_order.state_changed.v1", {"unit_id": "u1", "to_state": "approved"}, "fab-a", T)
    s = apply(s, R + "work_order.quote_decided.v1", {"unit_id": "u1"}, "fab-a", T)
    assert not s.quote_pending and s.state == "approved"
    s = apply(s, D + "unit.awaiting_dispatch.v1", {"unit_id": "u1"}, "fab-a", T)
    s = apply(s, D + "item.shipped.v1", {"unit_id": "u1", "item_kind": "unit"}, "fab-a", T)
    assert (s.stage, s.state) == ("left", "shipped")  # it left the zone
    s = apply(s, D + "item.delivered.v1", {"unit_id": "u1", "item_kind": "unit"}, "fab-a", T)
    assert (s.stage, s.state) == ("left", "delivered")


def test_old_parts_and_unknown_units_leave_the_status_alone():
    s = fold((IN + "unit.received.v1", {"part_number": "P1"}))
    after = apply(s, D + "item.disposed.v1", {"unit_id": "u1", "item_kind": "old_part"}, "fab-a", T)
    assert (after.stage, after.state) == ("intake", "received")
    part = apply(s, R + "old_part.recorded.v1", {"unit_id": "u1", "old_part_id": "op1", "part_number": "X"}, "fab-a", T)
    assert part.part_number == "P1"
    assert apply(None, R + "work_order.diagnosed.v1", {"unit_id": "u2"}, "fab-a", T) is None
    assert fold((IN + "unit.inspected.v1", {"result": "failed"})).state == "inspection_failed"
    refused = fold((IN + "unit.rejected.v1", {"return_mode": "4561"}))
    assert (refused.stage, refused.state) == ("left", "rejected_4561")


def test_allocation_moves_the_unit_to_its_new_owner():
    s = fold((IN + "unit.received.v1", {}))
    s = apply(s, D + "item.allocated.v1", {"unit_id": "u1", "item_kind": "unit", "owner_id": "fab-b"}, "fab-b", T)
    assert (s.owner_id, s.state) == ("fab-b", "allocated")


def test_after_an_allocation_old_part_events_keep_their_owner_and_leave_the_unit_with_its_new_one():
    s = fold((IN + "unit.received.v1", {}))
    s = apply(s, D + "item.allocated.v1", {"unit_id": "u1", "item_kind": "unit", "owner_id": "fab-b"}, "fab-b", T)
    s = apply(s, D + "item.disposed.v1", {"unit_id": "u1", "item_kind": "old_part", "owner_id": "fab-a"}, "fab-a", T)
    assert (s.owner_id, s.state) == ("fab-b", "allocated")


def test_a_late_event_of_an_earlier_stage_does_not_move_the_unit_back():
    s = fold((R + "work_order.opened.v1", {"work_order_id": "wo1"}))
    s = apply(s, IN + "unit.released_to_repair.v1", {"unit_id": "u1", "serial_number": "SN1"}, "fab-a", T)
    assert (s.stage, s.state, s.serial_number) == ("repair", "queued", "SN1")  # facts still taken
    s = apply(s, D + "unit.awaiting_dispatch.v1", {"unit_id": "u1"}, "fab-a", T)
    s = apply(s, R + "work_order.state_changed.v1", {"unit_id": "u1", "to_state": "testing"}, "fab-a", T)
    assert (s.stage, s.state) == ("dispatch", "awaiting_dispatch")


def test_withdrawal_amendment_and_cancellation_move_the_status():
    s = fold((IN + "unit.announced.v1", {"serial_number": "SN1"}), (IN + "unit.withdrawn.v1", {}))
    assert (s.stage, s.state) == ("left", "withdrawn")
    d = fold((D + "unit.awaiting_dispatch.v1", {}), (D + "item.exit_declared.v1", {"item_kind": "unit"}))
    assert d.state == "exit_declared"
    d = apply(d, D + "item.exit_cancelled.v1", {"unit_id": "u1", "item_kind": "unit"}, "fab-a", T)
    assert (d.stage, d.state) == ("dispatch", "destination_decided")
    d = apply(d, D + "item.destination_amended.v1", {"unit_id": "u1", "item_kind": "unit"}, "fab-a", T)
    assert (d.stage, d.state) == ("dispatch", "destination_decided")


def at(hours: int) -> datetime:
    return T + timedelta(hours=hours)


def test_an_older_event_of_the_same_stage_arriving_after_a_newer_one_does_not_move_the_state_back():
    s = apply(None, R + "work_order.opened.v1", {"unit_id": "u1", "work_order_id": "wo1"}, "fab-a", at(1))
    s = apply(s, R + "work_order.state_changed.v1", {"unit_id": "u1", "to_state": "testing"}, "fab-a", at(5))
    older = {"unit_id": "u1", "to_state": "in_repair", "serial_number": "SN1"}
    late = apply(s, R + "work_order.state_changed.v1", older, "fab-a", at(3))
    assert (late.stage, late.state, late.updated_at) == ("repair", "testing", at(5))
    assert late.last_event_type == R + "work_order.state_changed.v1" and late.serial_number == "SN1"  # facts taken
    d = apply(None, D + "item.exit_declared.v1", {"unit_id": "u1", "item_kind": "unit"}, "fab-a", at(8))
    d = apply(d, D + "item.destination_decided.v1", {"unit_id": "u1", "item_kind": "unit"}, "fab-a", at(7))
    assert (d.stage, d.state, d.updated_at) == ("dispatch", "exit_declared", at(8))


def test_an_older_quote_event_does_not_reopen_a_decided_quote():
    s = apply(None, R + "work_order.opened.v1", {"unit_id": "u1"}, "fab-a", at(1))
    s = apply(s, R + "work_order.quote_issued.v1", {"unit_id": "u1", "approval_required": True}, "fab-a", at(2))
    s = apply(s, R + "work_order.quote_decided.v1", {"unit_id": "u1"}, "fab-a", at(4))
    s = apply(s, R + "work_order.quote_issued.v1", {"unit_id": "u1", "approval_required": True}, "fab-a", at(3))
    assert not s.quote_pending and s.updated_at == at(4)


def test_a_decision_consumed_after_a_later_event_of_another_topic_still_clears_the_quote():
    """Partners lagging on repair's topic: dispatch's awaiting_dispatch (after the completion) comes first."""
    s = apply(None, R + "work_order.opened.v1", {"unit_id": "u1"}, "fab-a", at(1))
    s = apply(s, R + "work_order.quote_issued.v1", {"unit_id": "u1", "approval_required": True}, "fab-a", at(2))
    s = apply(s, D + "unit.awaiting_dispatch.v1", {"unit_id": "u1", "item_kind": "unit"}, "fab-a", at(6))
    s = apply(s, R + "work_order.quote_decided.v1", {"unit_id": "u1"}, "fab-a", at(3))
    assert not s.quote_pending and (s.stage, s.state) == ("dispatch", "awaiting_dispatch")
    s = apply(s, R + "work_order.completed.v1", {"unit_id": "u1", "outcome": "repaired"}, "fab-a", at(5))
    assert not s.quote_pending and (s.stage, s.state) == ("dispatch", "awaiting_dispatch")


def test_events_that_change_nothing_do_not_hold_back_a_later_consumed_state_change():
    s = apply(None, D + "item.destination_decided.v1", {"unit_id": "u1", "item_kind": "unit"}, "fab-a", at(1))
    s = apply(s, R + "old_part.disposed.v1", {"unit_id": "u1", "old_part_id": "op1"}, "fab-a", at(3))
    assert (s.updated_at, s.last_event_type) == (at(1), D + "item.destination_decided.v1")
    s = apply(s, D + "item.exit_declared.v1", {"unit_id": "u1", "item_kind": "unit"}, "fab-a", at(2))
    assert (s.stage, s.state, s.updated_at) == ("dispatch", "exit_declared", at(2))


def test_a_unit_refused_after_its_receipt_waits_at_dispatch_and_one_refused_before_has_left():
    kept = fold((IN + "unit.received.v1", {}), (IN + "unit.rejected.v1", {"return_mode": "4561"}))
    assert (kept.stage, kept.state) == ("dispatch", "awaiting_dispatch")
    gone = fold((IN + "unit.declared.v1", {}), (IN + "unit.rejected.v1", {"return_mode": "4500"}))
    assert (gone.stage, gone.state) == ("left", "rejected_4500")
    refused = fold((IN + "unit.discrepancy_found.v1", {}),
                   (IN + "unit.discrepancy_resolved.v1", {"resolution": "rejected"}),
                   (IN + "unit.rejected.v1", {"return_mode": "4561"}))
    assert (refused.stage, refused.state) == ("left", "rejected_4561")  # never received
