"""Repair's rules in plain Python: test records and first-pass yield, labour, stock availability, old parts."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.kit.errors import Conflict, RuleViolation
from services.repair.domain.labour import LabourEntry
from services.repair.domain.old_parts import DisposalRoute, OldPart, supervision_mode
from services.repair.domain.stock import Availability, PartNeed, PartPosition, check_receipt
from services.repair.domain.testing import Measurement, TestRecord, first_pass_yield

NOW = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


def measure(value: float) -> Measurement:
    return Measurement("leak rate", value, "mbar·l/s", upper=1e-9)


def test_a_test_cannot_pass_with_a_measurement_out_of_limits():
    facts = dict(id="t-1", work_order_id="wo-1", procedure="ATP-7", tested_at=NOW, tested_by="t")
    with pytest.raises(RuleViolation, match="out of limits: leak rate"):
        TestRecord.judge(passed=True, measurements=[measure(5e-9)], **facts)
    assert TestRecord.judge(passed=None, measurements=[measure(5e-9)], **facts).passed is False
    assert TestRecord.judge(passed=None, measurements=[measure(5e-10)], **facts).passed is True
    assert TestRecord.judge(passed=False, measurements=[measure(5e-10)], **facts).passed is False
    with pytest.raises(RuleViolation, match="give passed"):
        TestRecord.judge(passed=None, measurements=[], **facts)
    with pytest.raises(RuleViolation, match="names its procedure"):
        TestRecord.judge(passed=True, measurements=[], **(facts | {"procedure": " "}))


def test_first_pass_yield():
    assert first_pass_yield([True, False, True, True]).rate == 0.75
    assert first_pass_yield([]).rate is None


def test_labour_clock_and_booked_minutes():
    clock = LabourEntry.start("l-1", "wo-1", "li", NOW, None)
    with pytest.raises(Conflict, match="already has a labour clock running"):
        LabourEntry.start("l-2", "wo-1", "li", NOW, clock)
    assert clock.stop(NOW + timedelta(minutes=41, seconds=5)) == 42 and not clock.running
    with pytest.raises(Conflict, match="already stopped"):
        clock.stop(NOW)
    for bad in (0, 24 * 60 + 1):
        with pytest.raises(RuleViolation, match="between 1 and 1440"):
            LabourEntry.booked("l-3", "wo-1", "li", bad, NOW)


@pytest.mark.parametrize("free, expected, waiting, needed, status", [
    (5, 0, 0, 5, Availability.available),
    (2, 10, 0, 5, Availability.expected),
    (2, 10, 8, 5, Availability.short),   # the expected delivery is already promised to others
    (0, 0, 0, 1, Availability.short),
])
def test_availability(free, expected, waiting, needed, status):
    assert PartPosition("PN-1", on_hand=free + 3, reserved=3, expected=expected, waiting=waiting).status(needed) \
        is status


def test_part_needs_and_receipts_are_checked():
    with pytest.raises(RuleViolation, match="between 1 and"):
        PartNeed("PN-1", 0).check()
    with pytest.raises(RuleViolation, match="part number is required"):
        PartNeed(" ", 1).check()
    with pytest.raises(RuleViolation, match="domestic parts are not bonded"):
        check_receipt(1, True, "domestic")


def old_part(origin: str) -> OldPart:
    return OldPart.removed(disposal_days=30, removed_at=NOW, origin=origin, id="op-1", unit_id="u-1",
                           work_order_id="wo-1", owner_id="o-1", part_number="PN-1", quantity=1)


def test_old_part_inherits_origin_and_gets_a_deadline():
    p = old_part("foreign")
    assert p.disposal_deadline == NOW + timedelta(days=30)
    assert p.allowed_routes == ["reexport_0864", "reexport_0865", "destruction_0200", "destruction_0400"]
    assert old_part("domestic").allowed_routes == ["gate_registration", "destruction"]
    assert p.overdue(NOW + timedelta(days=31)) and not p.overdue(NOW + timedelta(days=29))


@pytest.mark.parametrize("origin, route", [("foreign", DisposalRoute.gate_registration),
                                           ("foreign", DisposalRoute.destruction),
                                           ("domestic", DisposalRoute.reexport_0864),
                                           ("domestic", DisposalRoute.destruction_0200)])
def test_old_part_routes_refused(origin, route):
    p = old_part(origin)
    with pytest.raises(RuleViolation, match=f"{origin}-origin old parts cannot go by {route.value}") as refused:
        p.dispose(route, "DOC-1", NOW, "t")
    assert ("never enter the domestic market" in refused.value.message) == (origin == "foreign")
    assert p.disposed_at is None


def test_old_part_disposal_once_late_flagged_document_required():
    p = old_part("foreign")
    with pytest.raises(RuleViolation, match="customs document number"):
        p.dispose(DisposalRoute.reexport_0864, " ", NOW, "t")
    assert p.dispose(DisposalRoute.destruction_0400, "DOC-9", NOW + timedelta(days=31), "t") is True
    assert supervision_mode(p.route) == "0400" and supervision_mode(DisposalRoute.destruction) is None
    with pytest.raises(Conflict, match="already disposed of"):
        p.dispose(DisposalRoute.reexport_0864, "DOC-10", NOW, "t")
